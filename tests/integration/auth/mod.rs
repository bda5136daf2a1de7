//! API keys and workspaces: authentication, scopes, revocation, paging and tenancy.

mod authentication;
mod cache;
mod keys;
mod tenancy;

const VIEWER: &str = "{ viewer { workspace { id name } apiKey { id name scopes } } }";

const CREATE_KEY: &str = "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret replayed dryRun apiKey { id name prefix scopes revokedAt } } }";

const REVOKE_KEY: &str = "mutation($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id revokedAt } } }";
