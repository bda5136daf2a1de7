//! The API of a lead's conversion: `convertLead`'s input and payload, the `LeadConversion`
//! type and the `leadConversions` list's filter.
//!
//! GraphQL has no input unions, so "an existing contact or a new one" is an input object with
//! two mutually exclusive fields (`existingId`, `create`), exactly one of which must be given.

use std::sync::Arc;

use async_graphql::connection::Connection;
use async_graphql::{Context, InputObject, Json, Object, SimpleObject, ID};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;
use uuid::Uuid;

use super::loaders::LeadConversionsOfLeadsLoader;
use super::types::{LeadGql, LeadStatusChangeGql};
use super::LeadLoader;
use crate::error::AppError;
use crate::graphql::contacts::{CompanyGql, ContactGql};
use crate::graphql::deals::DealGql;
use crate::graphql::loaders;
use crate::graphql::mutation::{MutationOptions, WriteOutcome};
use crate::graphql::pagination::ConnectionFields;
use crate::graphql::parse_id;
use crate::graphql::scalars::Decimal;
use crate::leads::model::{LeadConversion, LeadConversionFilter};
use crate::leads::ops::Converted;
use crate::leads::rules::conversion::{
    CompanyChoice, CompanyOverrides, ContactChoice, ContactOverrides, ConversionInput, DealRequest,
};
use crate::write::{WriteOptions, WriteResult};

pub type LeadConversionConnection = Connection<String, LeadConversionGql, ConnectionFields>;

/// Converts a lead, in one transaction: the contact (new or existing), the company (new,
/// existing, or decided from the lead), optionally a deal with the contact on it, the lead
/// marked CONVERTED (read-only from then on) and a `LeadConversion` record. Converting a
/// converted or disqualified lead is CONFLICT.
#[derive(InputObject)]
pub struct ConvertLeadInput {
    pub lead_id: ID,
    /// Refuse (STALE_OBJECT) unless the lead still has this version.
    pub expected_version: Option<i32>,
    /// Who the lead becomes. Omitted or null: a new contact made from the lead (as
    /// `{create: {}}`).
    pub contact: Option<ConvertLeadContactInput>,
    /// The contact's company. Omitted or null: decided from the lead — a linked contact's own
    /// company if it has one; else the company that holds the lead's domain (its website's,
    /// else its e-mail address's; a free-mail domain such as gmail.com names no company),
    /// linked, never duplicated; else a new company from the lead's `companyName`, domain and
    /// website; else no company. Companies are matched by domain only (names are not unique).
    pub company: Option<ConvertLeadCompanyInput>,
    /// A deal to open for the converted lead, with its contact on it. Omitted or null: no
    /// deal.
    pub deal: Option<ConvertLeadDealInput>,
    /// Why the lead was converted (up to 1,000 characters), kept with the conversion and in
    /// the lead's status history.
    pub reason: Option<String>,
    #[graphql(flatten)]
    pub options: MutationOptions,
}

/// Exactly one of `existingId` and `create`.
#[derive(InputObject)]
pub struct ConvertLeadContactInput {
    /// An existing contact of this workspace. It must not belong to another company than
    /// the one the conversion links (BAD_USER_INPUT); without a company it joins that one.
    pub existing_id: Option<ID>,
    /// A new contact from the lead's name, e-mail, phone, title and owner; the fields given
    /// here replace the lead's. The same rules as `createContact` apply: an e-mail address
    /// another contact has is CONFLICT naming that contact (link it with `existingId`).
    pub create: Option<ConvertLeadNewContactInput>,
}

/// The new contact's values that replace the lead's; fields left out (or null) take the
/// lead's value, where it has one.
#[derive(InputObject, Default)]
pub struct ConvertLeadNewContactInput {
    /// Default: the lead's name (unless firstName or lastName is given).
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub title: Option<String>,
    /// 0 to 1000.
    pub lead_score: Option<i32>,
    pub owner_id: Option<String>,
    pub tags: Option<Vec<String>>,
    /// A JSON object.
    pub custom_fields: Option<Json<Value>>,
}

/// Exactly one of `existingId` and `create`.
#[derive(InputObject)]
pub struct ConvertLeadCompanyInput {
    /// An existing company of this workspace.
    pub existing_id: Option<ID>,
    /// A new company from the lead's companyName, domain (its website's, else its e-mail
    /// address's, never a free-mail one) and website; the fields given here replace those.
    /// The same rules as `createCompany` apply: a domain another company has is CONFLICT
    /// naming that company (link it with `existingId`, or leave `company` out).
    pub create: Option<ConvertLeadNewCompanyInput>,
}

/// The new company's values that replace the lead's; fields left out (or null) take the
/// lead's value, where it has one.
#[derive(InputObject, Default)]
pub struct ConvertLeadNewCompanyInput {
    /// Default: the lead's companyName (required when the lead has none).
    pub name: Option<String>,
    pub domain: Option<String>,
    pub website: Option<String>,
    pub industry: Option<String>,
    pub size: Option<String>,
    /// ISO 3166-1 alpha-2.
    pub country: Option<String>,
    pub city: Option<String>,
    pub icp_tier: Option<String>,
    pub is_target_account: Option<bool>,
    pub owner_id: Option<String>,
    pub tags: Option<Vec<String>>,
    /// A JSON object.
    pub custom_fields: Option<Json<Value>>,
}

/// The deal to open. It starts in `stageId`; or in the stage with `stageKey` of `pipelineId`
/// (default: the default pipeline); or in `pipelineId`'s first stage; or, with none of them,
/// in the default pipeline's first stage. Its history starts there, as with `createDeal`.
#[derive(InputObject)]
pub struct ConvertLeadDealInput {
    /// 1–300 characters.
    pub title: String,
    pub pipeline_id: Option<ID>,
    pub stage_id: Option<ID>,
    /// A stage's key, e.g. "proposal"; one the pipeline lacks is BAD_USER_INPUT.
    pub stage_key: Option<String>,
    /// ≥ 0, no more decimals than the currency allows. Default "0".
    pub amount: Option<Decimal>,
    /// ISO 4217. Default: the workspace's default currency.
    pub currency: Option<String>,
    /// Default: the lead's owner.
    pub owner_id: Option<String>,
    pub expected_close_date: Option<NaiveDate>,
    /// The contact's role on the deal. Default "decision_maker".
    pub contact_role: Option<String>,
}

impl ConvertLeadInput {
    pub fn into_parts(self) -> Result<(ConversionInput, WriteOptions), AppError> {
        let input = ConversionInput {
            lead_id: parse_id(&self.lead_id, "input.leadId")?,
            expected_version: self.expected_version,
            contact: match self.contact {
                None => ContactChoice::Create(Box::default()),
                Some(choice) => contact_choice(choice)?,
            },
            company: match self.company {
                None => CompanyChoice::FromLead,
                Some(choice) => company_choice(choice)?,
            },
            deal: self.deal.map(deal_request).transpose()?,
            reason: self.reason,
        };
        Ok((input, self.options.into()))
    }
}

/// Exactly one of the two, or BAD_USER_INPUT naming `field`.
fn exactly_one<A, B>(field: &str, a: Option<A>, b: Option<B>) -> Result<Result<A, B>, AppError> {
    match (a, b) {
        (Some(a), None) => Ok(Ok(a)),
        (None, Some(b)) => Ok(Err(b)),
        _ => Err(AppError::bad_input(
            field,
            "give exactly one of existingId and create",
        )),
    }
}

fn contact_choice(input: ConvertLeadContactInput) -> Result<ContactChoice, AppError> {
    Ok(
        match exactly_one("input.contact", input.existing_id, input.create)? {
            Ok(id) => ContactChoice::Existing(parse_id(&id, "input.contact.existingId")?),
            Err(new) => ContactChoice::Create(Box::new(ContactOverrides {
                name: new.name,
                first_name: new.first_name,
                last_name: new.last_name,
                email: new.email,
                phone: new.phone,
                title: new.title,
                lead_score: new.lead_score,
                owner_id: new.owner_id,
                tags: new.tags,
                custom_fields: new.custom_fields.map(|json| json.0),
            })),
        },
    )
}

fn company_choice(input: ConvertLeadCompanyInput) -> Result<CompanyChoice, AppError> {
    Ok(
        match exactly_one("input.company", input.existing_id, input.create)? {
            Ok(id) => CompanyChoice::Existing(parse_id(&id, "input.company.existingId")?),
            Err(new) => CompanyChoice::Create(Box::new(CompanyOverrides {
                name: new.name,
                domain: new.domain,
                website: new.website,
                industry: new.industry,
                size: new.size,
                country: new.country,
                city: new.city,
                icp_tier: new.icp_tier,
                is_target_account: new.is_target_account,
                owner_id: new.owner_id,
                tags: new.tags,
                custom_fields: new.custom_fields.map(|json| json.0),
            })),
        },
    )
}

fn deal_request(input: ConvertLeadDealInput) -> Result<DealRequest, AppError> {
    let id = |id: Option<ID>, field| id.map(|id| parse_id(&id, field)).transpose();
    Ok(DealRequest {
        title: input.title,
        pipeline_id: id(input.pipeline_id, "input.deal.pipelineId")?,
        stage_id: id(input.stage_id, "input.deal.stageId")?,
        stage_key: input.stage_key,
        amount: input.amount.map(|a| a.0),
        currency: input.currency,
        owner_id: input.owner_id,
        expected_close_date: input.expected_close_date,
        contact_role: input.contact_role,
    })
}

/// Which conversions to list; every field given narrows the list.
#[derive(InputObject, Default)]
#[graphql(name = "LeadConversionFilter")]
pub struct LeadConversionFilterInput {
    /// Converted at or after this time.
    pub converted_from: Option<DateTime<Utc>>,
    /// Converted before this time.
    pub converted_to: Option<DateTime<Utc>>,
    /// The lead's owner when it was converted.
    pub owner_id: Option<String>,
}

impl From<LeadConversionFilterInput> for LeadConversionFilter {
    fn from(filter: LeadConversionFilterInput) -> Self {
        LeadConversionFilter {
            converted_from: filter.converted_from,
            converted_to: filter.converted_to,
            owner_id: filter.owner_id,
        }
    }
}

/// The record of a lead's conversion: what it became, why, by whom and when.
#[derive(Clone)]
pub struct LeadConversionGql {
    row: LeadConversion,
    /// What `convertLead` wrote, so its payload shows the records even in a dry run (when
    /// they were never committed and no loader finds them).
    written: Option<Arc<Converted>>,
}

impl LeadConversionGql {
    pub fn from_row(row: LeadConversion) -> Self {
        LeadConversionGql { row, written: None }
    }
}

#[Object(name = "LeadConversion")]
impl LeadConversionGql {
    /// Globally unique; pass it to `node(id:)`.
    pub async fn id(&self) -> ID {
        ID(self.row.id.to_string())
    }
    /// The converted lead (read-only from then on).
    async fn lead(&self, ctx: &Context<'_>) -> async_graphql::Result<LeadGql> {
        if let Some(written) = &self.written {
            return Ok(written.lead.clone().into());
        }
        let id = self.row.lead_id;
        let lead = loaders::get::<LeadLoader>(ctx)?.load_one(id).await?;
        Ok(lead
            .ok_or_else(|| AppError::internal(format!("conversion of a missing lead {id}")))?
            .into())
    }
    /// The contact the lead became; null if it has been deleted since.
    async fn contact(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ContactGql>> {
        if let Some(written) = &self.written {
            return Ok(Some(ContactGql::from_row(written.contact.clone())));
        }
        loaders::related(ctx, self.row.contact_id, ContactGql::from_row).await
    }
    /// The contact's company, if the conversion linked one (and it still exists).
    async fn company(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CompanyGql>> {
        if let Some(written) = &self.written {
            return Ok(written.company.clone().map(CompanyGql::from_row));
        }
        loaders::related(ctx, self.row.company_id, CompanyGql::from_row).await
    }
    /// The deal the conversion opened, if any (and it still exists).
    async fn deal(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<DealGql>> {
        if let Some(written) = &self.written {
            return Ok(written.deal.clone().map(DealGql::from));
        }
        loaders::related(ctx, self.row.deal_id, DealGql::from).await
    }
    /// True when the conversion created the contact, false when it linked an existing one.
    async fn contact_created(&self) -> bool {
        self.row.contact_created
    }
    /// True when the conversion created the company, false when it linked one (or none).
    async fn company_created(&self) -> bool {
        self.row.company_created
    }
    /// The lead's owner when it was converted: whose conversion it counts as.
    async fn owner_id(&self) -> Option<&str> {
        self.row.owner_id.as_deref()
    }
    async fn reason(&self) -> Option<&str> {
        self.row.reason.as_deref()
    }
    /// The API key that converted the lead.
    async fn converted_by(&self) -> ID {
        ID(self.row.actor_key_id.to_string())
    }
    async fn converted_at(&self) -> DateTime<Utc> {
        self.row.converted_at
    }
}

/// What `convertLead` did (for a dry run: would do, ids included).
#[derive(SimpleObject)]
pub struct ConvertLeadPayload {
    pub conversion: LeadConversionGql,
    /// The lead, now CONVERTED.
    pub lead: LeadGql,
    /// The change to CONVERTED added to the lead's status history.
    pub status_change: LeadStatusChangeGql,
    /// The contact the lead became (created or linked).
    pub contact: ContactGql,
    /// The contact's company, if any (created or linked).
    pub company: Option<CompanyGql>,
    /// The deal opened, if one was asked for.
    pub deal: Option<DealGql>,
    #[graphql(flatten)]
    pub outcome: WriteOutcome,
}

impl From<WriteResult<Converted>> for ConvertLeadPayload {
    fn from(result: WriteResult<Converted>) -> Self {
        let outcome = (&result).into();
        let written = Arc::new(result.value);
        ConvertLeadPayload {
            conversion: LeadConversionGql {
                row: written.conversion.clone(),
                written: Some(written.clone()),
            },
            lead: written.lead.clone().into(),
            status_change: written.status_change.clone().into(),
            contact: ContactGql::from_row(written.contact.clone()),
            company: written.company.clone().map(CompanyGql::from_row),
            deal: written.deal.clone().map(DealGql::from),
            outcome,
        }
    }
}

/// `Lead.conversion`: the lead's conversion, through the loader of the lead's page.
pub async fn conversion_of(
    ctx: &Context<'_>,
    lead_id: Uuid,
) -> async_graphql::Result<Option<LeadConversionGql>> {
    let conversions = loaders::get::<LeadConversionsOfLeadsLoader>(ctx)?
        .load_one(lead_id)
        .await?
        .unwrap_or_default();
    Ok(conversions
        .into_iter()
        .next()
        .map(LeadConversionGql::from_row))
}
