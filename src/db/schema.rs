// @generated automatically by Diesel CLI.

diesel::table! {
    api_keys (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        name -> Text,
        prefix -> Text,
        secret_hash -> Bytea,
        scopes -> Array<Nullable<Text>>,
        created_by_key_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
        last_used_at -> Nullable<Timestamptz>,
        revoked_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    audit_events (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        occurred_at -> Timestamptz,
        actor_key_id -> Nullable<Uuid>,
        action -> Text,
        entity_type -> Text,
        entity_id -> Nullable<Uuid>,
        outcome -> Text,
        error_code -> Nullable<Text>,
        error_message -> Nullable<Text>,
        before -> Nullable<Jsonb>,
        after -> Nullable<Jsonb>,
        request_id -> Nullable<Text>,
        dry_run -> Bool,
    }
}

diesel::table! {
    idempotency_keys (workspace_id, key) {
        workspace_id -> Uuid,
        key -> Text,
        action -> Text,
        request_hash -> Bytea,
        status -> Text,
        response -> Nullable<Jsonb>,
        created_at -> Timestamptz,
        expires_at -> Timestamptz,
    }
}

diesel::table! {
    outbox_events (position) {
        position -> Int8,
        id -> Uuid,
        workspace_id -> Uuid,
        event_type -> Text,
        entity_type -> Text,
        entity_id -> Uuid,
        payload -> Jsonb,
        occurred_at -> Timestamptz,
    }
}

diesel::table! {
    workspaces (id) {
        id -> Uuid,
        name -> Text,
        #[max_length = 3]
        default_currency -> Bpchar,
        created_at -> Timestamptz,
    }
}

diesel::joinable!(api_keys -> workspaces (workspace_id));
diesel::joinable!(audit_events -> workspaces (workspace_id));
diesel::joinable!(idempotency_keys -> workspaces (workspace_id));
diesel::joinable!(outbox_events -> workspaces (workspace_id));

diesel::allow_tables_to_appear_in_same_query!(
    api_keys,
    audit_events,
    idempotency_keys,
    outbox_events,
    workspaces,
);
