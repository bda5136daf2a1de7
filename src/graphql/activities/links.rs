//! Inputs name what an activity or a task is about by four ids, `contactId`, `companyId`,
//! `dealId` and `leadId`: [`link_ids`] reads them, the same way for every input.

use async_graphql::ID;

use crate::activities::rules::Links;
use crate::error::AppError;
use crate::graphql::parse_id;

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
