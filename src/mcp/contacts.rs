//! Tools for people and organisations: `create_contact`, `search_contacts`, `create_company`,
//! `search_companies` — over the same record operations as `createContact`, `contacts`, ….

use serde_json::{Map, Value};

use super::args::{arg_enum, tool_args, uuid, Id};
use super::paging::{page_json, row, window_of};
use super::tool::{self, options, written, Call, Effect, ToolSpec};
use crate::contacts::model::{Company, CompanyFilter, Contact, ContactFilter};
use crate::contacts::ops::{self, CompanyInput, ContactInput};
use crate::contacts::rules::LifecycleStage;
use crate::contacts::ContactsOrder;
use crate::error::AppError;
use crate::write::record;

pub fn tools() -> Vec<ToolSpec> {
    vec![
        tool::write(
            "create_contact",
            "Creates a contact (a person). The e-mail address is unique in the workspace: a \
             second contact with it is CONFLICT (with existing_id).",
            Effect::Write,
            create_contact,
        ),
        tool::read(
            "search_contacts",
            "Finds contacts by a term in their name or e-mail, and by company, lifecycle stage, \
             owner or tag; most recently updated first.",
            search_contacts,
        ),
        tool::write(
            "create_company",
            "Creates a company. Its domain is normalised (\"https://www.Acme.com/about\" is \
             stored as \"acme.com\") and unique in the workspace.",
            Effect::Write,
            create_company,
        ),
        tool::read(
            "search_companies",
            "Finds companies by a term in their name or domain, and by owner, tag, country or \
             target-account flag; most recently updated first.",
            search_companies,
        ),
    ]
}

arg_enum!(
    /// Where a contact is in the customer lifecycle.
    LifecycleStageArg => LifecycleStage { Subscriber, Lead, Mql, Sql, Opportunity, Customer, Other }
);

tool_args! {
    pub struct CreateContact {
        /// 1–200 characters; built from first_name and last_name when absent.
        pub name: Option<String>,
        pub first_name: Option<String>,
        pub last_name: Option<String>,
        /// Unique in the workspace, without regard to case.
        pub email: Option<String>,
        pub phone: Option<String>,
        /// Job title.
        pub title: Option<String>,
        /// The id of a company of this workspace.
        pub company_id: Option<Id>,
        /// `lead` when absent.
        pub lifecycle_stage: Option<LifecycleStageArg>,
        pub owner_id: Option<String>,
        pub tags: Option<Vec<String>>,
        /// A JSON object of custom fields.
        pub custom_fields: Option<Map<String, Value>>,
    }
    writes "contact"
}

async fn create_contact(call: Call, input: CreateContact) -> Result<Value, AppError> {
    let contact = ContactInput {
        name: input.name,
        first_name: input.first_name,
        last_name: input.last_name,
        email: input.email,
        phone: input.phone,
        title: input.title,
        company_id: uuid(input.company_id),
        lifecycle_stage: input.lifecycle_stage.map(Into::into),
        lead_score: None,
        owner_id: input.owner_id,
        tags: input.tags,
        custom_fields: input.custom_fields.map(Value::Object),
        last_activity_at: None,
    };
    let options = options(input.idempotency_key, input.dry_run);
    let result = record::create::<Contact>(&call.pool, &call.actor, contact, options).await?;
    written("contact", &result)
}

tool_args! {
    pub struct SearchContacts {
        /// Found anywhere in the name or e-mail, case-insensitively.
        pub query: Option<String>,
        pub company_id: Option<Id>,
        pub lifecycle_stage: Option<LifecycleStageArg>,
        pub owner_id: Option<String>,
        /// Contacts carrying exactly this tag.
        pub tag: Option<String>,
    }
    pages
}

async fn search_contacts(call: Call, input: SearchContacts) -> Result<Value, AppError> {
    let filter = ContactFilter {
        search: input.query,
        company_id: uuid(input.company_id),
        lifecycle_stage: input.lifecycle_stage.map(Into::into),
        owner_id: input.owner_id,
        tag: input.tag,
    };
    let window = window_of(
        &call,
        "contacts",
        ContactsOrder::UpdatedAt,
        input.limit,
        input.after,
    )?;
    let listing = ops::contacts(&call.pool, &call.actor, filter, &window)
        .await
        .map_err(search_field)?;
    page_json(&call, "contacts", &window, listing, row)
}

tool_args! {
    pub struct CreateCompany {
        /// 1–200 characters.
        pub name: String,
        /// Normalised: "https://www.Acme.com/about" is stored as "acme.com". Unique in the
        /// workspace.
        pub domain: Option<String>,
        pub website: Option<String>,
        pub industry: Option<String>,
        pub size: Option<String>,
        /// ISO 3166-1 alpha-2, e.g. "DE".
        pub country: Option<String>,
        pub city: Option<String>,
        pub icp_tier: Option<String>,
        pub is_target_account: Option<bool>,
        pub owner_id: Option<String>,
        pub tags: Option<Vec<String>>,
        /// A JSON object of custom fields.
        pub custom_fields: Option<Map<String, Value>>,
    }
    writes "company"
}

async fn create_company(call: Call, input: CreateCompany) -> Result<Value, AppError> {
    let company = CompanyInput {
        name: input.name,
        domain: input.domain,
        website: input.website,
        industry: input.industry,
        size: input.size,
        country: input.country,
        city: input.city,
        icp_tier: input.icp_tier,
        is_target_account: input.is_target_account,
        owner_id: input.owner_id,
        tags: input.tags,
        custom_fields: input.custom_fields.map(Value::Object),
    };
    let options = options(input.idempotency_key, input.dry_run);
    let result = record::create::<Company>(&call.pool, &call.actor, company, options).await?;
    written("company", &result)
}

tool_args! {
    pub struct SearchCompanies {
        /// Found anywhere in the name or domain, case-insensitively.
        pub query: Option<String>,
        pub owner_id: Option<String>,
        /// Companies carrying exactly this tag.
        pub tag: Option<String>,
        pub is_target_account: Option<bool>,
        /// ISO 3166-1 alpha-2, e.g. "DE".
        pub country: Option<String>,
    }
    pages
}

async fn search_companies(call: Call, input: SearchCompanies) -> Result<Value, AppError> {
    let filter = CompanyFilter {
        search: input.query,
        owner_id: input.owner_id,
        tag: input.tag,
        is_target_account: input.is_target_account,
        country: input.country,
    };
    let window = window_of(
        &call,
        "companies",
        ContactsOrder::UpdatedAt,
        input.limit,
        input.after,
    )?;
    let listing = ops::companies(&call.pool, &call.actor, filter, &window)
        .await
        .map_err(search_field)?;
    page_json(&call, "companies", &window, listing, row)
}

/// The domain names the search term `filter.search`; the tools call it `query`.
fn search_field(err: AppError) -> AppError {
    match err {
        AppError::BadInput { field, message } if field == "filter.search" => AppError::BadInput {
            field: "query".into(),
            message,
        },
        other => other,
    }
}
