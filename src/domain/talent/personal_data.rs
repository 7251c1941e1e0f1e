//! Talent's part of a person's data, for export and erasure (registered in `domain::registry`).

use crate::domain::DomainResult;
use entity::course_organiser;
use entity::credential;
use entity::enrolment;
use entity::learning_entry;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Talent's part of a person's data: credentials (with their evidence references), enrolments,
/// the learning ledger, reminders sent and the course-organiser grant. Erasure deletes
/// credentials, reminders and the grant, ends live enrolments (their seats go to the waitlist)
/// and forgets evidence references and the reasons given on ledger entries; the ledger stays, under the pseudonym, like volunteer hours.
pub struct Talent;

#[async_trait::async_trait]
impl crate::domain::people::privacy::PersonalData for Talent {
    fn section(&self) -> &'static str {
        "talent"
    }
    async fn export(
        &self,
        cx: &crate::domain::people::privacy::Context<'_>,
        txn: &sea_orm::DatabaseTransaction,
    ) -> DomainResult<serde_json::Value> {
        use entity::talent_reminder;
        let id = cx.person.id;
        Ok(crate::domain::people::privacy::Export::new()
            .part(
                "credentials",
                credential::Entity::find().filter(credential::Column::HolderId.eq(id)).all(txn).await?,
            )?
            .part("enrolments", enrolment::Entity::find().filter(enrolment::Column::PersonId.eq(id)).all(txn).await?)?
            .part(
                "learning",
                learning_entry::Entity::find().filter(learning_entry::Column::PersonId.eq(id)).all(txn).await?,
            )?
            .part(
                "reminders",
                talent_reminder::Entity::find().filter(talent_reminder::Column::UserId.eq(id)).all(txn).await?,
            )?
            .part("courseOrganiser", course_organiser::Entity::find_by_id(id).one(txn).await?)?
            .done())
    }
    async fn erase(
        &self,
        cx: &crate::domain::people::privacy::Context<'_>,
        txn: &sea_orm::DatabaseTransaction,
    ) -> DomainResult<()> {
        use entity::talent_reminder;
        use sea_orm::sea_query::Expr;
        let id = cx.person.id;
        crate::domain::talent::enrolments::end_future(txn, id, cx.now).await?;
        credential::Entity::delete_many().filter(credential::Column::HolderId.eq(id)).exec(txn).await?;
        talent_reminder::Entity::delete_many().filter(talent_reminder::Column::UserId.eq(id)).exec(txn).await?;
        course_organiser::Entity::delete_by_id(id).exec(txn).await?;
        learning_entry::Entity::update_many()
            .col_expr(learning_entry::Column::EvidenceRef, Expr::value(Option::<String>::None))
            .col_expr(learning_entry::Column::Reason, Expr::value(Option::<String>::None))
            .filter(learning_entry::Column::PersonId.eq(id))
            .exec(txn)
            .await?;
        Ok(())
    }
}
