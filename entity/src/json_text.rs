//! Typed values kept as JSON text in a TEXT column (portable: PostgreSQL and SQLite hold the same
//! string). sea-orm's `FromJsonQueryResult` would decode through the driver's JSON type, which
//! PostgreSQL only gives for `json`/`jsonb` columns; these columns are TEXT, so the value is read
//! as a string and parsed here. Text that does not parse (an unknown name, a broken array) fails
//! the read with a type error that names the column type and the text, instead of reading as
//! empty.

/// Implements the sea-orm value traits for `$t`, a `Serialize + Deserialize` type stored as JSON
/// text.
macro_rules! json_text {
    ($t:ty) => {
        impl From<$t> for sea_orm::Value {
            fn from(v: $t) -> Self {
                // A list of plain enum names always serialises.
                sea_orm::Value::String(Some(serde_json::to_string(&v).unwrap_or_else(|_| "[]".into())))
            }
        }

        impl sea_orm::TryGetable for $t {
            fn try_get_by<I: sea_orm::ColIdx>(
                res: &sea_orm::QueryResult,
                idx: I,
            ) -> Result<Self, sea_orm::TryGetError> {
                let text = <String as sea_orm::TryGetable>::try_get_by(res, idx)?;
                $crate::json_text::parse(&text).map_err(sea_orm::TryGetError::DbErr)
            }
        }

        impl sea_orm::sea_query::ValueType for $t {
            fn try_from(v: sea_orm::Value) -> Result<Self, sea_orm::sea_query::ValueTypeErr> {
                match v {
                    sea_orm::Value::String(Some(s)) => {
                        $crate::json_text::parse(&s).map_err(|_| sea_orm::sea_query::ValueTypeErr)
                    }
                    _ => Err(sea_orm::sea_query::ValueTypeErr),
                }
            }

            fn type_name() -> String {
                stringify!($t).to_owned()
            }

            fn array_type() -> sea_orm::sea_query::ArrayType {
                sea_orm::sea_query::ArrayType::String
            }

            fn column_type() -> sea_orm::sea_query::ColumnType {
                sea_orm::sea_query::ColumnType::Text
            }
        }

        impl sea_orm::sea_query::Nullable for $t {
            fn null() -> sea_orm::Value {
                sea_orm::Value::String(None)
            }
        }

        impl sea_orm::IntoActiveValue<$t> for $t {
            fn into_active_value(self) -> sea_orm::ActiveValue<$t> {
                sea_orm::ActiveValue::set(self)
            }
        }
    };
}
pub(crate) use json_text;

/// Parses stored JSON text as `T`, or says which type and text did not parse.
pub fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, sea_orm::DbErr> {
    serde_json::from_str(text).map_err(|e| {
        sea_orm::DbErr::Type(format!("stored {} {text:?} does not parse: {e}", std::any::type_name::<T>()))
    })
}
