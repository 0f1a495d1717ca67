//! The API's errors. Resolvers return [`ApiError`]; it becomes a GraphQL
//! error (message plus an `extensions.code`) in one place, its
//! `From<ApiError> for async_graphql::Error`.
//!
//! `ApiError` deliberately has no `Display`: async-graphql converts every
//! `Display` type into an error by its message alone, which would drop the
//! code and leak server-side details.

use async_graphql::ErrorExtensions;
use sea_orm::DbErr;
use std::sync::Arc;

// Clone: async-graphql needs it of a resolver's error type.
#[derive(Clone, Debug)]
pub enum ApiError {
    /// A bad argument: the client can fix the request.
    BadInput(String),
    BadCursor,
    PageSize {
        arg: &'static str,
        max: u32,
        got: i64,
    },
    FirstAndLast,
    BadAccount(String),
    /// The database holds a value the API does not know: a schema newer than
    /// this server, or corruption. Logged; the client sees a generic message.
    Corrupt {
        column: &'static str,
        value: String,
    },
    Db(Arc<DbErr>),
    Detail(Arc<bizkey_store::detail::DetailError>),
}

impl From<DbErr> for ApiError {
    fn from(e: DbErr) -> Self {
        Self::Db(Arc::new(e))
    }
}

impl From<Arc<DbErr>> for ApiError {
    fn from(e: Arc<DbErr>) -> Self {
        Self::Db(e)
    }
}

impl From<bizkey_store::detail::DetailError> for ApiError {
    fn from(e: bizkey_store::detail::DetailError) -> Self {
        Self::Detail(Arc::new(e))
    }
}

impl ApiError {
    /// What the client reads.
    fn message(&self) -> String {
        match self {
            Self::BadInput(m) => m.clone(),
            Self::BadCursor => "malformed cursor".into(),
            Self::PageSize { arg, max, got } => {
                format!("`{arg}` must be between 0 and {max}, got {got}")
            }
            Self::FirstAndLast => "give `first` or `last`, not both".into(),
            Self::BadAccount(a) => format!("`{a}` is not an SS58 account"),
            Self::Corrupt { column, value } => {
                format!("unexpected value {value:?} in column {column}")
            }
            Self::Db(e) => format!("database: {e}"),
            Self::Detail(e) => e.to_string(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Self::BadInput(_)
            | Self::FirstAndLast
            | Self::PageSize { .. }
            | Self::BadAccount(_) => "BAD_USER_INPUT",
            Self::BadCursor => "BAD_CURSOR",
            // The receipt's block may not be indexed yet: worth a retry.
            Self::Detail(e)
                if matches!(**e, bizkey_store::detail::DetailError::UnknownReceipt(_)) =>
            {
                "NOT_INDEXED"
            }
            Self::Detail(e) if e.is_client_error() => "BAD_DETAIL",
            Self::Corrupt { .. } | Self::Db(_) | Self::Detail(_) => "INTERNAL",
        }
    }
}

impl From<ApiError> for async_graphql::Error {
    fn from(e: ApiError) -> Self {
        let mut code = e.code();
        let message = if code == "INTERNAL" {
            // Server-side details stay in the log.
            let detail = e.message();
            tracing::error!(error = %detail, "internal error");
            // PostgreSQL's `statement_timeout` (SQLSTATE 57014).
            if detail.contains("statement timeout") {
                code = "TIMEOUT";
                "the query took too long".to_owned()
            } else {
                "internal error".to_owned()
            }
        } else {
            e.message()
        };
        async_graphql::Error::new(message).extend_with(|_, x| x.set("code", code))
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
