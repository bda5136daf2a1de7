-- Which door a write came through: the GraphQL API, an AI agent's MCP tool call, or the
-- operator's CLI. Rows written before this column existed all came through GraphQL or the
-- CLI; they read as 'graphql'.
ALTER TABLE audit_events
    ADD COLUMN channel text NOT NULL DEFAULT 'graphql'
        CONSTRAINT audit_events_channel_check CHECK (channel IN ('graphql', 'mcp', 'operator'));
