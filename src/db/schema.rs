// @generated automatically by Diesel CLI.
//
// One file on purpose, whatever its length: it is `diesel print-schema`'s output for the whole
// migrated database (diesel.toml), regenerated rather than edited, and diesel's
// `allow_tables_to_appear_in_same_query!` and `joinable!` need every table in one place.
// `platform::migrations::schema_rs_matches_the_migrated_database` checks it against the
// database.

diesel::table! {
    accounting_accounts (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        code -> Text,
        name -> Text,
        account_type -> Text,
        description -> Nullable<Text>,
        parent_id -> Nullable<Uuid>,
        role -> Nullable<Text>,
        archived_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    activities (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        activity_type -> Text,
        subject -> Nullable<Text>,
        body -> Nullable<Text>,
        occurred_at -> Timestamptz,
        metadata -> Jsonb,
        created_by -> Uuid,
        contact_id -> Nullable<Uuid>,
        company_id -> Nullable<Uuid>,
        deal_id -> Nullable<Uuid>,
        lead_id -> Nullable<Uuid>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

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
        channel -> Text,
    }
}

diesel::table! {
    billing_counters (workspace_id, kind) {
        workspace_id -> Uuid,
        kind -> Text,
        last_number -> Int8,
    }
}

diesel::table! {
    billing_settings (workspace_id) {
        workspace_id -> Uuid,
        auto_post -> Bool,
        receivable_account_id -> Nullable<Uuid>,
        services_revenue_account_id -> Nullable<Uuid>,
        product_revenue_account_id -> Nullable<Uuid>,
        sales_tax_account_id -> Nullable<Uuid>,
        customer_credit_account_id -> Nullable<Uuid>,
        cash_account_id -> Nullable<Uuid>,
        bank_account_id -> Nullable<Uuid>,
        undeposited_account_id -> Nullable<Uuid>,
        version -> Int4,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    companies (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        name -> Text,
        domain -> Nullable<Text>,
        website -> Nullable<Text>,
        industry -> Nullable<Text>,
        size -> Nullable<Text>,
        #[max_length = 2]
        country -> Nullable<Bpchar>,
        city -> Nullable<Text>,
        icp_tier -> Nullable<Text>,
        is_target_account -> Bool,
        owner_id -> Nullable<Text>,
        tags -> Array<Nullable<Text>>,
        custom_fields -> Jsonb,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        last_activity_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    contacts (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        name -> Text,
        first_name -> Nullable<Text>,
        last_name -> Nullable<Text>,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        title -> Nullable<Text>,
        company_id -> Nullable<Uuid>,
        lifecycle_stage -> Text,
        lead_score -> Nullable<Int4>,
        owner_id -> Nullable<Text>,
        tags -> Array<Nullable<Text>>,
        custom_fields -> Jsonb,
        last_activity_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    deal_contacts (deal_id, contact_id) {
        workspace_id -> Uuid,
        deal_id -> Uuid,
        contact_id -> Uuid,
        role -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    /// Unique on these columns (`NULLS NOT DISTINCT`: `day` may be null); kept by triggers.
    deal_rollups (pipeline_id, stage_id, status, day, currency) {
        workspace_id -> Uuid,
        pipeline_id -> Uuid,
        stage_id -> Uuid,
        status -> Text,
        day -> Nullable<Date>,
        #[max_length = 3]
        currency -> Bpchar,
        deals -> Int8,
        amount -> Numeric,
        own_weighted -> Numeric,
        stage_weighted_amount -> Numeric,
    }
}

diesel::table! {
    deal_taggings (deal_id, tag_id) {
        workspace_id -> Uuid,
        deal_id -> Uuid,
        tag_id -> Uuid,
    }
}

diesel::table! {
    deal_tags (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        name -> Text,
        color -> Nullable<Text>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    deals (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        pipeline_id -> Uuid,
        stage_id -> Uuid,
        title -> Text,
        description -> Nullable<Text>,
        amount -> Numeric,
        #[max_length = 3]
        currency -> Bpchar,
        close_probability -> Nullable<Numeric>,
        expected_close_date -> Nullable<Date>,
        won_at -> Nullable<Timestamptz>,
        lost_at -> Nullable<Timestamptz>,
        lost_reason -> Nullable<Text>,
        value_period -> Text,
        owner_id -> Nullable<Text>,
        company_id -> Nullable<Uuid>,
        custom_fields -> Jsonb,
        entered_stage_at -> Timestamptz,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
        last_activity_at -> Nullable<Timestamptz>,
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
    invoice_lines (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        invoice_id -> Uuid,
        line_no -> Int4,
        kind -> Text,
        name -> Text,
        description -> Nullable<Text>,
        quantity -> Numeric,
        unit_amount -> Numeric,
        discount -> Numeric,
        tax_rate -> Numeric,
        service_period_start -> Nullable<Date>,
        service_period_end -> Nullable<Date>,
        revenue_account_id -> Nullable<Uuid>,
        subtotal -> Numeric,
        tax -> Numeric,
        total -> Numeric,
    }
}

diesel::table! {
    invoices (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        number -> Nullable<Text>,
        kind -> Text,
        credited_invoice_id -> Nullable<Uuid>,
        status -> Text,
        company_id -> Nullable<Uuid>,
        contact_id -> Nullable<Uuid>,
        deal_id -> Nullable<Uuid>,
        lead_id -> Nullable<Uuid>,
        currency -> Text,
        issue_date -> Nullable<Date>,
        due_date -> Nullable<Date>,
        payment_terms_days -> Nullable<Int4>,
        memo -> Nullable<Text>,
        subtotal -> Numeric,
        tax_total -> Numeric,
        total -> Numeric,
        amount_paid -> Numeric,
        amount_credited -> Numeric,
        amount_due -> Numeric,
        journal_entry_id -> Nullable<Uuid>,
        issued_at -> Nullable<Timestamptz>,
        voided_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    journal_entries (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        number -> Nullable<Int8>,
        entry_date -> Date,
        memo -> Nullable<Text>,
        status -> Text,
        reverses_id -> Nullable<Uuid>,
        posted_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    journal_lines (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        entry_id -> Uuid,
        line_no -> Int4,
        account_id -> Uuid,
        currency -> Text,
        debit -> Numeric,
        credit -> Numeric,
        description -> Nullable<Text>,
        entry_date -> Date,
        invoice_id -> Nullable<Uuid>,
        payment_id -> Nullable<Uuid>,
        deal_id -> Nullable<Uuid>,
        contact_id -> Nullable<Uuid>,
        company_id -> Nullable<Uuid>,
    }
}

diesel::table! {
    lead_conversions (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        lead_id -> Uuid,
        contact_id -> Nullable<Uuid>,
        company_id -> Nullable<Uuid>,
        deal_id -> Nullable<Uuid>,
        contact_created -> Bool,
        company_created -> Bool,
        owner_id -> Nullable<Text>,
        reason -> Nullable<Text>,
        actor_key_id -> Uuid,
        converted_at -> Timestamptz,
    }
}

diesel::table! {
    lead_status_counts (workspace_id, status) {
        workspace_id -> Uuid,
        status -> Text,
        leads -> Int8,
    }
}

diesel::table! {
    lead_status_changes (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        lead_id -> Uuid,
        sequence -> Int4,
        from_status -> Text,
        to_status -> Text,
        reason -> Nullable<Text>,
        actor_key_id -> Uuid,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    leads (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        name -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        title -> Nullable<Text>,
        company_name -> Nullable<Text>,
        website -> Nullable<Text>,
        source -> Text,
        status -> Text,
        score -> Int4,
        owner_id -> Nullable<Text>,
        tags -> Array<Nullable<Text>>,
        custom_fields -> Jsonb,
        qualified_at -> Nullable<Timestamptz>,
        disqualified_at -> Nullable<Timestamptz>,
        disqualified_reason -> Nullable<Text>,
        converted_at -> Nullable<Timestamptz>,
        last_activity_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    ledger_counters (workspace_id) {
        workspace_id -> Uuid,
        last_number -> Int8,
    }
}

diesel::table! {
    ledger_currencies (code) {
        code -> Text,
        minor_units -> Int4,
    }
}

diesel::table! {
    ledger_daily_totals (workspace_id, account_id, currency, day) {
        workspace_id -> Uuid,
        account_id -> Uuid,
        currency -> Text,
        day -> Date,
        debit -> Numeric,
        credit -> Numeric,
        lines -> Int8,
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
    payments (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        kind -> Text,
        invoice_id -> Nullable<Uuid>,
        company_id -> Nullable<Uuid>,
        contact_id -> Nullable<Uuid>,
        currency -> Text,
        amount -> Numeric,
        applied_amount -> Numeric,
        credit_amount -> Numeric,
        paid_at -> Timestamptz,
        method -> Text,
        provider -> Nullable<Text>,
        provider_reference_id -> Nullable<Text>,
        refunded_payment_id -> Nullable<Uuid>,
        memo -> Nullable<Text>,
        journal_entry_id -> Nullable<Uuid>,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    pipelines (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        name -> Text,
        is_default -> Bool,
        archived_at -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    routing_rules (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        entity -> Text,
        name -> Text,
        position -> Int4,
        conditions -> Jsonb,
        assignment -> Text,
        owner_ids -> Array<Nullable<Text>>,
        next_slot -> Int8,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    scoring_rules (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        entity -> Text,
        name -> Text,
        field -> Text,
        operator -> Text,
        value -> Nullable<Jsonb>,
        points -> Int4,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    server_keys (name) {
        name -> Text,
        secret -> Bytea,
        created_at -> Timestamptz,
    }
}

diesel::table! {
    stage_changes (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        deal_id -> Uuid,
        sequence -> Int4,
        from_stage_id -> Nullable<Uuid>,
        to_stage_id -> Uuid,
        from_pipeline_id -> Nullable<Uuid>,
        to_pipeline_id -> Uuid,
        from_stage_name -> Nullable<Text>,
        to_stage_name -> Text,
        to_stage_kind -> Text,
        amount -> Numeric,
        #[max_length = 3]
        currency -> Bpchar,
        actor_key_id -> Nullable<Uuid>,
        changed_at -> Timestamptz,
    }
}

diesel::table! {
    stage_deal_counts (stage_id) {
        workspace_id -> Uuid,
        stage_id -> Uuid,
        deals -> Int8,
    }
}

diesel::table! {
    stages (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        pipeline_id -> Uuid,
        name -> Text,
        key -> Nullable<Text>,
        position -> Int4,
        probability -> Numeric,
        kind -> Text,
        color -> Nullable<Text>,
        rotting_days -> Nullable<Int4>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    tasks (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        title -> Text,
        notes -> Nullable<Text>,
        due_at -> Nullable<Timestamptz>,
        due_date -> Nullable<Date>,
        priority -> Text,
        status -> Text,
        assignee -> Nullable<Text>,
        contact_id -> Nullable<Uuid>,
        company_id -> Nullable<Uuid>,
        deal_id -> Nullable<Uuid>,
        lead_id -> Nullable<Uuid>,
        completed_at -> Nullable<Timestamptz>,
        created_by -> Uuid,
        due_sort -> Timestamptz,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_attempts (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        delivery_id -> Uuid,
        endpoint_id -> Uuid,
        attempted_at -> Timestamptz,
        status_code -> Nullable<Int4>,
        latency_ms -> Int4,
        response_body -> Nullable<Text>,
        error -> Nullable<Text>,
        succeeded -> Bool,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        endpoint_id -> Uuid,
        event_id -> Uuid,
        event_type -> Text,
        position -> Int8,
        body -> Text,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamptz,
        lease_token -> Nullable<Uuid>,
        lease_until -> Nullable<Timestamptz>,
        created_at -> Timestamptz,
        completed_at -> Nullable<Timestamptz>,
    }
}

diesel::table! {
    webhook_endpoints (id) {
        workspace_id -> Uuid,
        id -> Uuid,
        url -> Text,
        description -> Nullable<Text>,
        event_types -> Array<Nullable<Text>>,
        pipeline_id -> Nullable<Uuid>,
        enabled -> Bool,
        disabled_reason -> Nullable<Text>,
        secret -> Bytea,
        previous_secret -> Nullable<Bytea>,
        previous_secret_expires_at -> Nullable<Timestamptz>,
        from_position -> Int8,
        failing_since -> Nullable<Timestamptz>,
        version -> Int4,
        created_at -> Timestamptz,
        updated_at -> Timestamptz,
    }
}

diesel::table! {
    webhook_fanout (singleton) {
        singleton -> Bool,
        position -> Int8,
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

diesel::joinable!(accounting_accounts -> workspaces (workspace_id));
diesel::joinable!(activities -> workspaces (workspace_id));
diesel::joinable!(api_keys -> workspaces (workspace_id));
diesel::joinable!(audit_events -> workspaces (workspace_id));
diesel::joinable!(billing_counters -> workspaces (workspace_id));
diesel::joinable!(billing_settings -> workspaces (workspace_id));
diesel::joinable!(companies -> workspaces (workspace_id));
diesel::joinable!(contacts -> workspaces (workspace_id));
diesel::joinable!(deal_tags -> workspaces (workspace_id));
diesel::joinable!(deals -> workspaces (workspace_id));
diesel::joinable!(idempotency_keys -> workspaces (workspace_id));
diesel::joinable!(invoice_lines -> workspaces (workspace_id));
diesel::joinable!(invoices -> ledger_currencies (currency));
diesel::joinable!(invoices -> workspaces (workspace_id));
diesel::joinable!(lead_conversions -> workspaces (workspace_id));
diesel::joinable!(journal_entries -> workspaces (workspace_id));
diesel::joinable!(journal_lines -> ledger_currencies (currency));
diesel::joinable!(journal_lines -> workspaces (workspace_id));
diesel::joinable!(lead_status_changes -> workspaces (workspace_id));
diesel::joinable!(lead_status_counts -> workspaces (workspace_id));
diesel::joinable!(leads -> workspaces (workspace_id));
diesel::joinable!(ledger_counters -> workspaces (workspace_id));
diesel::joinable!(outbox_events -> workspaces (workspace_id));
diesel::joinable!(payments -> ledger_currencies (currency));
diesel::joinable!(payments -> workspaces (workspace_id));
diesel::joinable!(pipelines -> workspaces (workspace_id));
diesel::joinable!(routing_rules -> workspaces (workspace_id));
diesel::joinable!(scoring_rules -> workspaces (workspace_id));
diesel::joinable!(tasks -> workspaces (workspace_id));
diesel::joinable!(webhook_attempts -> workspaces (workspace_id));
diesel::joinable!(webhook_deliveries -> workspaces (workspace_id));
diesel::joinable!(webhook_endpoints -> workspaces (workspace_id));

diesel::allow_tables_to_appear_in_same_query!(
    accounting_accounts,
    activities,
    api_keys,
    audit_events,
    billing_counters,
    billing_settings,
    companies,
    contacts,
    deal_contacts,
    deal_rollups,
    deal_taggings,
    deal_tags,
    deals,
    idempotency_keys,
    invoice_lines,
    invoices,
    lead_conversions,
    journal_entries,
    journal_lines,
    lead_status_changes,
    lead_status_counts,
    leads,
    ledger_counters,
    ledger_currencies,
    ledger_daily_totals,
    outbox_events,
    payments,
    pipelines,
    routing_rules,
    scoring_rules,
    server_keys,
    stage_changes,
    stage_deal_counts,
    stages,
    tasks,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
    webhook_fanout,
    workspaces,
);
