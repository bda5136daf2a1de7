//! The GraphQL mirrors of domain enumerations, converted both ways by one macro.

/// `same_enum!(XGql, X, [A, B])`: `From` both ways between a GraphQL enum and the domain
/// enum it mirrors, variant for variant (the compiler checks that none is missed).
/// `same_enum!(/// doc  XGql as "X" = X [A, B])` declares the GraphQL enum too, when its
/// variants need no descriptions.
macro_rules! same_enum {
    ($(#[$doc:meta])* $gql:ident as $name:literal = $domain:ident [$($variant:ident),+]) => {
        $(#[$doc])*
        #[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq)]
        #[graphql(name = $name)]
        pub enum $gql { $($variant),+ }

        $crate::graphql::enums::same_enum!($gql, $domain, [$($variant),+]);
    };
    ($gql:ident, $domain:ident, [$($variant:ident),+ $(,)?]) => {
        impl From<$gql> for $domain {
            fn from(value: $gql) -> Self {
                match value { $($gql::$variant => $domain::$variant),+ }
            }
        }
        impl From<$domain> for $gql {
            fn from(value: $domain) -> Self {
                match value { $($domain::$variant => $gql::$variant),+ }
            }
        }
    };
}
pub(crate) use same_enum;
