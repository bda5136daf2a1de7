//! Inputs name what an activity or a task is about by four ids, `contactId`, `companyId`,
//! `dealId` and `leadId`: [`LinkIds`] and [`LinkIdChanges`] hold them, embedded in each input
//! with `#[graphql(flatten)]` (they are not types of the schema), and read them the same way
//! for every input.

use async_graphql::{InputObject, MaybeUndefined, ID};

use crate::activities::rules::{LinkPatch, Links};
use crate::error::AppError;
use crate::graphql::{parse_id, patched_id};

/// The four ids of a create or a filter.
#[derive(InputObject, Default)]
pub struct LinkIds {
    pub contact_id: Option<ID>,
    pub company_id: Option<ID>,
    pub deal_id: Option<ID>,
    pub lead_id: Option<ID>,
}

impl LinkIds {
    /// The ids, each named under `prefix` when it does not parse.
    pub fn parse(&self, prefix: &str) -> Result<Links, AppError> {
        link_ids(
            [
                &self.contact_id,
                &self.company_id,
                &self.deal_id,
                &self.lead_id,
            ],
            prefix,
        )
    }
}

/// The four ids of a partial update: left out, a link stays; null, it is removed.
#[derive(InputObject)]
pub struct LinkIdChanges {
    pub contact_id: MaybeUndefined<ID>,
    pub company_id: MaybeUndefined<ID>,
    pub deal_id: MaybeUndefined<ID>,
    pub lead_id: MaybeUndefined<ID>,
}

impl LinkIdChanges {
    /// The changes, each id named under `input.` when it does not parse.
    pub fn parse(self) -> Result<LinkPatch, AppError> {
        Ok(LinkPatch {
            contact_id: patched_id(self.contact_id, "input.contactId")?,
            company_id: patched_id(self.company_id, "input.companyId")?,
            deal_id: patched_id(self.deal_id, "input.dealId")?,
            lead_id: patched_id(self.lead_id, "input.leadId")?,
        })
    }
}

/// The ids of an input's `contactId`, `companyId`, `dealId` and `leadId` (in that order),
/// each named under `prefix` when it does not parse.
pub fn link_ids(ids: [&Option<ID>; 4], prefix: &str) -> Result<Links, AppError> {
    let parse = |id: &Option<ID>, name: &str| {
        id.as_ref()
            .map(|id| parse_id(id, &format!("{prefix}.{name}")))
            .transpose()
    };
    Ok(Links {
        contact_id: parse(ids[0], "contactId")?,
        company_id: parse(ids[1], "companyId")?,
        deal_id: parse(ids[2], "dealId")?,
        lead_id: parse(ids[3], "leadId")?,
    })
}
