//! Deals under the workspace's routing rules: a new unowned deal gets the owner routing
//! gives it (in its creation's transaction), and deals are `Routable` for `routeUnassigned`.
//! A deal's country is its company's.

use std::collections::HashMap;

use async_trait::async_trait;
use bigdecimal::BigDecimal;
use diesel_async::AsyncPgConnection;
use serde_json::Value;
use uuid::Uuid;

use super::event;
use crate::contacts::model::Company;
use crate::deals::events;
use crate::deals::model::{Deal, DealTag};
use crate::error::AppError;
use crate::events::NewEvent;
use crate::routing::ops::{owner_for, Routable};
use crate::routing::rules::{RoutedEntity, Subject};

/// What a new deal shows routing (it has no tags yet).
pub struct NewDealFacts<'a> {
    pub pipeline_id: Uuid,
    pub amount: &'a BigDecimal,
    pub currency: &'a str,
    pub company_id: Option<Uuid>,
    pub custom_fields: &'a Value,
}

/// The owner the workspace's routing rules give a new unowned deal, if any.
pub async fn owner_of_new(
    conn: &mut AsyncPgConnection,
    workspace_id: Uuid,
    deal: NewDealFacts<'_>,
) -> Result<Option<String>, AppError> {
    let country = match deal.company_id {
        Some(id) => Company::find(conn, workspace_id, id)
            .await?
            .and_then(|company| company.country),
        None => None,
    };
    let subject = Subject {
        source: None,
        country,
        tags: Vec::new(),
        custom_fields: deal.custom_fields.clone(),
        amount: Some((deal.amount.clone(), deal.currency.to_owned())),
        pipeline_id: Some(deal.pipeline_id),
    };
    owner_for(conn, workspace_id, RoutedEntity::Deal, &subject).await
}

#[async_trait]
impl Routable for Deal {
    const ENTITY: RoutedEntity = RoutedEntity::Deal;

    async fn unowned(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        pipeline_id: Option<Uuid>,
    ) -> Result<Vec<(Uuid, Subject)>, AppError> {
        let deals = Deal::unowned_open(conn, workspace_id, pipeline_id).await?;
        if deals.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<Uuid> = deals.iter().map(|d| d.id).collect();
        let mut tags: HashMap<Uuid, Vec<String>> = HashMap::new();
        for (deal_id, tag) in DealTag::of_deals(conn, workspace_id, &ids).await? {
            tags.entry(deal_id).or_default().push(tag.name);
        }
        let company_ids: Vec<Uuid> = deals.iter().filter_map(|d| d.company_id).collect();
        let countries: HashMap<Uuid, String> = Company::find_many(conn, workspace_id, &company_ids)
            .await?
            .into_iter()
            .filter_map(|c| Some((c.id, c.country?)))
            .collect();
        Ok(deals
            .into_iter()
            .map(|deal| {
                let subject = Subject {
                    source: None,
                    country: deal.company_id.and_then(|id| countries.get(&id).cloned()),
                    tags: tags.remove(&deal.id).unwrap_or_default(),
                    custom_fields: deal.custom_fields.into_value(),
                    amount: Some((deal.amount, deal.currency)),
                    pipeline_id: Some(deal.pipeline_id),
                };
                (deal.id, subject)
            })
            .collect())
    }

    /// Publishes `deal.updated`, as any other change of a deal's owner does.
    async fn assign_owners(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        assignments: &[(Uuid, String)],
    ) -> Result<Vec<NewEvent>, AppError> {
        let deals = Deal::assign_many(conn, workspace_id, assignments).await?;
        deals
            .iter()
            .map(|deal| event(&events::Updated(deal.into())))
            .collect()
    }
}
