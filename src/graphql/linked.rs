//! The fields a CRM record shares with every other record that things happen to: its
//! `timeline`, `activities`, `tasks` and `invoices`, each a page of what is linked to it.
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
}

pub(crate) use linked_record;
