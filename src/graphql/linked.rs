//! The fields a CRM record shares with every other record that things happen to: its
//! `timeline`, `activities`, `tasks` and `invoices`, each a page of what is linked to it; and
//! the fields of what is linked the other way, an activity or a task (`about`): the ids and
//! records of the contact, company, deal and lead it is about.
//!
//! They are written once here, in [`linked_record!`], rather than once per record type. A
//! macro and not `#[graphql(flatten)]`: flattening an object that refers back to the record
//! types silently drops fields from the schema (see the README's "Adding a domain").

/// The resolver block of a record type, under the attribute given (`#[ComplexObject]` for a
/// `SimpleObject`, `#[Object(name = …)]` for a type that wraps its row): its first fields
/// (the optional braced block), then the linked fields it has, in schema order, then its own
/// fields.
///
/// ```ignore
/// linked_record! {
///     /// A person: a lead, a champion, a buyer.
///     #[async_graphql::Object(name = "Contact")]
///     impl ContactGql (uuid()) {
///         {
///             async fn name(&self) -> &str { &self.0.name }
///         }
///         invoices: Contact, timeline: Contact, tasks: Contact, activities: Contact;
///         /// The company the contact works for.
///         async fn company(&self, ctx: &Context<'_>) -> … { … }
///     }
/// }
/// ```
///
/// `uuid()` is what, after `self.`, gives the record's id (a field or a method); `Contact`
/// names the record's variant of `LinkKind` (and of `InvoiceParent` for `invoices`).
/// `about: Records` writes `contactId`, `companyId`, `dealId`, `leadId`, `contact`, `company`,
/// `deal` and `lead` for a type implementing [`About`].
macro_rules! linked_record {
    (
        $(#[$attr:meta])*
        impl $ty:ident ($($id:tt)+) {
            $({ $($first:tt)* })?
            $($field:ident: $kind:ident),+ ;
            $($own:tt)*
        }
    ) => {
        $crate::graphql::linked::linked_record!(
            @fields [$(#[$attr])* impl $ty], ($($id)+), [$($field: $kind),+],
            [$($($first)*)?], $($own)*
        );
    };
    (@id $self:ident ($($id:tt)+)) => {
        $self.$($id)+
    };
    (@fields [$($head:tt)*], $id:tt, [], [$($done:tt)*], $($own:tt)*) => {
        $($head)* {
            $($done)*
            $($own)*
        }
    };
    (@fields [$($head:tt)*], $id:tt, [invoices: $kind:ident $(, $f:ident: $k:ident)*], [$($done:tt)*], $($own:tt)*) => {
        $crate::graphql::linked::linked_record!(@fields [$($head)*], $id, [$($f: $k),*], [$($done)*
            /// Its invoices and credit notes, newest first.
            async fn invoices(
                &self,
                ctx: &async_graphql::Context<'_>,
                first: Option<i32>,
                after: Option<String>,
            ) -> async_graphql::Result<$crate::graphql::billing::InvoiceConnection> {
                let parent = $crate::billing::ops::InvoiceParent::$kind;
                $crate::graphql::billing::linked_invoices(ctx, parent, $crate::graphql::linked::linked_record!(@id self $id), first, after).await
            }
        ], $($own)*);
    };
    (@fields [$($head:tt)*], $id:tt, [timeline: $kind:ident $(, $f:ident: $k:ident)*], [$($done:tt)*], $($own:tt)*) => {
        $crate::graphql::linked::linked_record!(@fields [$($head)*], $id, [$($f: $k),*], [$($done)*
            /// Its history, newest first (see `Query.timeline`).
            async fn timeline(
                &self,
                ctx: &async_graphql::Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                types: Option<Vec<$crate::graphql::timeline::TimelineItemTypeGql>>,
            ) -> async_graphql::Result<$crate::graphql::timeline::TimelineConnection> {
                let kind = $crate::activities::rules::LinkKind::$kind;
                $crate::graphql::timeline::record_timeline(ctx, kind, $crate::graphql::linked::linked_record!(@id self $id), first, after, types)
                    .await
            }
        ], $($own)*);
    };
    (@fields [$($head:tt)*], $id:tt, [tasks: $kind:ident $(, $f:ident: $k:ident)*], [$($done:tt)*], $($own:tt)*) => {
        $crate::graphql::linked::linked_record!(@fields [$($head)*], $id, [$($f: $k),*], [$($done)*
            /// Its tasks, soonest due first (undated last).
            async fn tasks(
                &self,
                ctx: &async_graphql::Context<'_>,
                first: Option<i32>,
                after: Option<String>,
            ) -> async_graphql::Result<$crate::graphql::tasks::TaskConnection> {
                let kind = $crate::activities::rules::LinkKind::$kind;
                $crate::graphql::tasks::linked_tasks(ctx, kind, $crate::graphql::linked::linked_record!(@id self $id), first, after).await
            }
        ], $($own)*);
    };
    (@fields [$($head:tt)*], $id:tt, [activities: $kind:ident $(, $f:ident: $k:ident)*], [$($done:tt)*], $($own:tt)*) => {
        $crate::graphql::linked::linked_record!(@fields [$($head)*], $id, [$($f: $k),*], [$($done)*
            /// What happened with it, newest first.
            async fn activities(
                &self,
                ctx: &async_graphql::Context<'_>,
                first: Option<i32>,
                after: Option<String>,
            ) -> async_graphql::Result<$crate::graphql::activities::ActivityConnection> {
                let kind = $crate::activities::rules::LinkKind::$kind;
                $crate::graphql::activities::linked_activities(ctx, kind, $crate::graphql::linked::linked_record!(@id self $id), first, after)
                    .await
            }
        ], $($own)*);
    };
    (@fields [$($head:tt)*], $id:tt, [about: $kind:ident $(, $f:ident: $k:ident)*], [$($done:tt)*], $($own:tt)*) => {
        $crate::graphql::linked::linked_record!(@fields [$($head)*], $id, [$($f: $k),*], [$($done)*
            async fn contact_id(&self) -> Option<async_graphql::ID> {
                $crate::graphql::linked::id_of($crate::graphql::linked::About::about(self).contact_id)
            }
            async fn company_id(&self) -> Option<async_graphql::ID> {
                $crate::graphql::linked::id_of($crate::graphql::linked::About::about(self).company_id)
            }
            async fn deal_id(&self) -> Option<async_graphql::ID> {
                $crate::graphql::linked::id_of($crate::graphql::linked::About::about(self).deal_id)
            }
            async fn lead_id(&self) -> Option<async_graphql::ID> {
                $crate::graphql::linked::id_of($crate::graphql::linked::About::about(self).lead_id)
            }
            async fn contact(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<Option<$crate::graphql::contacts::ContactGql>> {
                let id = $crate::graphql::linked::About::about(self).contact_id;
                $crate::graphql::loaders::related(ctx, id, $crate::graphql::contacts::ContactGql::from_row).await
            }
            async fn company(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<Option<$crate::graphql::contacts::CompanyGql>> {
                let id = $crate::graphql::linked::About::about(self).company_id;
                $crate::graphql::loaders::related(ctx, id, $crate::graphql::contacts::CompanyGql::from_row).await
            }
            async fn deal(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<Option<$crate::graphql::deals::DealGql>> {
                let id = $crate::graphql::linked::About::about(self).deal_id;
                $crate::graphql::loaders::related(ctx, id, $crate::graphql::deals::DealGql::from).await
            }
            async fn lead(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> async_graphql::Result<Option<$crate::graphql::leads::LeadGql>> {
                let id = $crate::graphql::linked::About::about(self).lead_id;
                $crate::graphql::loaders::related(ctx, id, $crate::graphql::leads::LeadGql::from).await
            }
        ], $($own)*);
    };
}

pub(crate) use linked_record;

/// An optional id as the API shows it.
pub fn id_of(id: Option<uuid::Uuid>) -> Option<async_graphql::ID> {
    id.map(|id| async_graphql::ID(id.to_string()))
}

/// What an activity or a task is about, for the `about` fields of [`linked_record!`].
pub trait About {
    fn about(&self) -> crate::activities::rules::Links;
}
