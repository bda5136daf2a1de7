//! Dataloaders for deals and what hangs off them: deals by id, a board's first deals per stage
//! (with their relations, in the same batch), a company's newest deals, contact links, tags,
//! the stage history and the counts. They cache rows; the resolvers map them to types.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use diesel::QueryResult;
use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::cursor::order_from_key;
use crate::contacts::model::{Company, Contact};
use crate::db::page::Position;
use crate::deals::model::{Deal, DealContact, DealTag, StageChange};
use crate::error::AppError;
use crate::graphql::loaders::{find_by_id, ById, ByParent, Children, Loaders, Scope};
use crate::graphql::pipelines::StageLoader;
use crate::pipelines::model::Stage;

find_by_id!(Deal);

/// Adds the deal loaders to a set.
pub fn register(loaders: &mut Loaders) {
    let scope = loaders.scope();
    loaders.add(DealLoader::new(scope.clone()));
    loaders.add(StageDealsLoader(scope.clone()));
    loaders.add(StageDealCountLoader(scope.clone()));
    loaders.add(DealContactsLoader::new(scope.clone()));
    loaders.add(ContactDealsLoader::new(scope.clone()));
    loaders.add(DealTagsLoader::new(scope.clone()));
    loaders.add(StageChangesLoader(scope.clone()));
    loaders.add(CompanyDealsLoader(scope.clone()));
    loaders.add(StageChangeCountLoader(scope));
}

/// Deals by id.
pub type DealLoader = ById<Deal>;

/// A deal's contact links, with roles.
pub struct DealContacts;
pub type DealContactsLoader = ByParent<DealContacts>;

impl Children for DealContacts {
    type Row = DealContact;

    async fn of_parents(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        deal_ids: &[Uuid],
    ) -> QueryResult<Vec<(Uuid, DealContact)>> {
        let links = DealContact::of_deals(conn, workspace_id, deal_ids).await?;
        Ok(links.into_iter().map(|l| (l.deal_id, l)).collect())
    }
}

/// The deal links of a contact (for `Contact.deals`).
pub struct ContactDeals;
pub type ContactDealsLoader = ByParent<ContactDeals>;

impl Children for ContactDeals {
    type Row = DealContact;

    async fn of_parents(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        contact_ids: &[Uuid],
    ) -> QueryResult<Vec<(Uuid, DealContact)>> {
        let links = DealContact::of_contacts(conn, workspace_id, contact_ids).await?;
        Ok(links.into_iter().map(|l| (l.contact_id, l)).collect())
    }
}

/// A deal's tags.
pub struct DealTags;
pub type DealTagsLoader = ByParent<DealTags>;

impl Children for DealTags {
    type Row = DealTag;

    async fn of_parents(
        conn: &mut AsyncPgConnection,
        workspace_id: Uuid,
        deal_ids: &[Uuid],
    ) -> QueryResult<Vec<(Uuid, DealTag)>> {
        DealTag::of_deals(conn, workspace_id, deal_ids).await
    }
}

/// Which relations of a board's deals the query selects; fetched with the deals, in the same
/// batch, so a board costs the same statements however many stages it has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Relations {
    pub stages: bool,
    pub companies: bool,
    pub contact_links: bool,
    pub contacts: bool,
    pub contact_companies: bool,
    pub tags: bool,
}

/// The first deals of a stage, as the board shows them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StageDealsKey {
    pub stage_id: Uuid,
    pub order: (u8, bool),
    pub limit: i64,
    /// Where the page starts, from the request's (already opened) cursor.
    pub after: Option<Position>,
    pub relations: Relations,
}

/// Relations of a batch of deals, for priming the other loaders.
#[derive(Default)]
pub struct Related {
    pub stages: HashMap<Uuid, Arc<Stage>>,
    pub companies: HashMap<Uuid, Arc<Company>>,
    pub contact_links: HashMap<Uuid, Vec<DealContact>>,
    pub contacts: HashMap<Uuid, Arc<Contact>>,
    pub tags: HashMap<Uuid, Vec<DealTag>>,
    /// Each stage's kept deal count, read with its first page.
    pub stage_totals: HashMap<Uuid, i64>,
}

/// A batch's relations until the first of its pages hands them to the request's loaders:
/// moved there once, never copied (a board's are some thousand rows).
pub type PendingRelated = Arc<std::sync::Mutex<Option<Related>>>;

/// One stage's page of deals (shared, not copied, by the loader's cache and the
/// connection), and the relations of every deal of the batch.
#[derive(Clone)]
pub struct StageDealsPage {
    /// At most the page size.
    pub deals: Arc<[Arc<Deal>]>,
    /// True when the stage has more deals after these.
    pub has_next: bool,
    pub related: PendingRelated,
}

pub struct StageDealsLoader(pub Scope);

impl StageDealsLoader {
    /// The relations `wanted` of a batch's deals: stages from the workspace's kept stages,
    /// then at most three statements (tags; links with their people and the people's
    /// companies; the deals' companies), whatever the number of deals.
    async fn related(&self, deals: &[&Deal], wanted: Relations) -> Result<Related, AppError> {
        let unique = |mut ids: Vec<Uuid>| {
            ids.sort();
            ids.dedup();
            ids
        };
        let ws = self.0.workspace_id;
        let deal_ids: Vec<Uuid> = deals.iter().map(|d| d.id).collect();
        let mut related = Related::default();
        if wanted.stages {
            let ids = unique(deals.iter().map(|d| d.stage_id).collect());
            related.stages = StageLoader::new(self.0.clone()).load(&ids).await?;
        }
        let mut conn = self.0.conn().await?;
        if wanted.tags {
            related.tags = deal_ids.iter().map(|id| (*id, Vec::new())).collect();
            for (deal_id, tag) in DealTag::of_deals(&mut conn, ws, &deal_ids).await? {
                related.tags.entry(deal_id).or_default().push(tag);
            }
        }
        if wanted.contact_links {
            related.contact_links = deal_ids.iter().map(|id| (*id, Vec::new())).collect();
            let links = if wanted.contact_companies {
                let rows = DealContact::with_people_of_deals(&mut conn, ws, &deal_ids).await?;
                let mut links = Vec::with_capacity(rows.len());
                for (link, contact, company) in rows {
                    if let Some(company) = company {
                        related.companies.insert(company.id, Arc::new(company));
                    }
                    related.contacts.insert(contact.id, Arc::new(contact));
                    links.push(link);
                }
                links
            } else if wanted.contacts {
                // Without the people's companies: no join the screen does not read.
                let rows = DealContact::with_contacts_of_deals(&mut conn, ws, &deal_ids).await?;
                let mut links = Vec::with_capacity(rows.len());
                for (link, contact) in rows {
                    related.contacts.insert(contact.id, Arc::new(contact));
                    links.push(link);
                }
                links
            } else {
                DealContact::of_deals(&mut conn, ws, &deal_ids).await?
            };
            for link in links {
                related
                    .contact_links
                    .entry(link.deal_id)
                    .or_default()
                    .push(link);
            }
        }
        drop(conn);
        if wanted.companies {
            // All of them, even those the people brought: what is read must not depend on
            // which companies happen to be both.
            let ids: Vec<Uuid> = deals.iter().filter_map(|d| d.company_id).collect();
            if !ids.is_empty() {
                let ids = unique(ids);
                for row in crate::contacts::ops::companies_by_ids(&self.0.pool, ws, &ids).await? {
                    related.companies.insert(row.id, Arc::new(row));
                }
            }
        }
        Ok(related)
    }
}

impl Loader<StageDealsKey> for StageDealsLoader {
    type Value = StageDealsPage;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[StageDealsKey],
    ) -> Result<HashMap<StageDealsKey, StageDealsPage>, AppError> {
        // Keys asking for the same page shape share one statement.
        type Shape = ((u8, bool), i64, Option<Position>, Relations);
        let mut groups: HashMap<Shape, Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.order, key.limit, key.after.clone(), key.relations))
                .or_default()
                .push(key.stage_id);
        }
        let mut out = HashMap::new();
        for ((order_key, limit, after, relations), stage_ids) in groups {
            let order = order_from_key(order_key);
            let rows = {
                let mut conn = self.0.conn().await?;
                Deal::first_of_stages(
                    &mut conn,
                    self.0.workspace_id,
                    &stage_ids,
                    &order,
                    after.as_ref(),
                    limit,
                )
                .await?
            };
            let mut totals: HashMap<Uuid, i64> = stage_ids.iter().map(|id| (*id, 0)).collect();
            let mut by_stage: HashMap<Uuid, Vec<Deal>> =
                stage_ids.iter().map(|id| (*id, Vec::new())).collect();
            for row in rows {
                totals.insert(row.deal.stage_id, row.stage_deals);
                by_stage
                    .entry(row.deal.stage_id)
                    .or_default()
                    .push(row.deal);
            }
            let deals: Vec<&Deal> = by_stage.values().flatten().collect();
            let mut related = self.related(&deals, relations).await?;
            // Past a cursor an empty page says nothing of the stage's total.
            if after.is_none() {
                related.stage_totals = totals;
            }
            let related = Arc::new(std::sync::Mutex::new(Some(related)));
            for (stage_id, mut deals) in by_stage {
                let key = StageDealsKey {
                    stage_id,
                    order: order_key,
                    limit,
                    after: after.clone(),
                    relations,
                };
                // `limit` is one more than the page: a row past it says another page follows.
                let has_next = deals.len() as i64 >= limit;
                deals.truncate(usize::try_from(limit - 1).unwrap_or(0));
                out.insert(
                    key,
                    StageDealsPage {
                        deals: deals.into_iter().map(Arc::new).collect(),
                        has_next,
                        related: related.clone(),
                    },
                );
            }
        }
        Ok(out)
    }
}

/// The newest deals of a company.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CompanyDealsKey {
    pub company_id: Uuid,
    pub limit: i64,
}

pub struct CompanyDealsLoader(pub Scope);

impl Loader<CompanyDealsKey> for CompanyDealsLoader {
    type Value = Vec<Deal>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CompanyDealsKey],
    ) -> Result<HashMap<CompanyDealsKey, Vec<Deal>>, AppError> {
        let mut groups: HashMap<i64, Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups.entry(key.limit).or_default().push(key.company_id);
        }
        let mut conn = self.0.conn().await?;
        let mut out = HashMap::new();
        for (limit, company_ids) in groups {
            let mut by_company: HashMap<Uuid, Vec<Deal>> =
                company_ids.iter().map(|id| (*id, Vec::new())).collect();
            for deal in
                Deal::newest_of_companies(&mut conn, self.0.workspace_id, &company_ids, limit)
                    .await?
            {
                if let Some(company_id) = deal.company_id {
                    by_company.entry(company_id).or_default().push(deal);
                }
            }
            for (company_id, deals) in by_company {
                out.insert(CompanyDealsKey { company_id, limit }, deals);
            }
        }
        Ok(out)
    }
}

/// How many deals a stage holds.
pub struct StageDealCountLoader(pub Scope);

impl Loader<Uuid> for StageDealCountLoader {
    type Value = i64;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, i64>, AppError> {
        let mut conn = self.0.conn().await?;
        let mut counts: HashMap<Uuid, i64> = keys.iter().map(|k| (*k, 0)).collect();
        counts.extend(Deal::counts_by_stage(&mut conn, self.0.workspace_id, keys).await?);
        Ok(counts)
    }
}

/// The newest stage changes of a deal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StageChangesKey {
    pub deal_id: Uuid,
    pub limit: i64,
    pub below: Option<i32>,
}

pub struct StageChangesLoader(pub Scope);

impl Loader<StageChangesKey> for StageChangesLoader {
    type Value = Vec<StageChange>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[StageChangesKey],
    ) -> Result<HashMap<StageChangesKey, Vec<StageChange>>, AppError> {
        let mut groups: HashMap<(i64, Option<i32>), Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.limit, key.below))
                .or_default()
                .push(key.deal_id);
        }
        let mut conn = self.0.conn().await?;
        let mut out = HashMap::new();
        for ((limit, below), deal_ids) in groups {
            let rows = StageChange::newest_of_deals(
                &mut conn,
                self.0.workspace_id,
                &deal_ids,
                below,
                limit,
            )
            .await?;
            let mut by_deal: HashMap<Uuid, Vec<StageChange>> =
                deal_ids.iter().map(|id| (*id, Vec::new())).collect();
            for change in rows {
                by_deal.entry(change.deal_id).or_default().push(change);
            }
            for (deal_id, changes) in by_deal {
                out.insert(
                    StageChangesKey {
                        deal_id,
                        limit,
                        below,
                    },
                    changes,
                );
            }
        }
        Ok(out)
    }
}

/// How many stage changes a deal has.
pub struct StageChangeCountLoader(pub Scope);

impl Loader<Uuid> for StageChangeCountLoader {
    type Value = i64;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, i64>, AppError> {
        let mut conn = self.0.conn().await?;
        let mut counts: HashMap<Uuid, i64> = keys.iter().map(|k| (*k, 0)).collect();
        counts.extend(StageChange::count_of_deals(&mut conn, self.0.workspace_id, keys).await?);
        Ok(counts)
    }
}
