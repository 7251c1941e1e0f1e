//! Volunteer service's part of a person's data, for export and erasure (registered in
//! `domain::registry`).

use crate::domain::DomainResult;
use entity::{attendance, hours_entry, manual_attendance, star_award};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

/// Volunteer service's part of a person's data: sign-ups, attendance, hours, star levels and
/// certificates. Erasure ends live sign-ups as a cancellation does (the seat goes to the waitlist
/// or is offered as cover), forgets where the person checked in and out (location tracks are
/// sensitive under PIPL) and every free text on their records: what they wrote in their claims
/// and disputes, and the reasons others gave about them (declines, corrections, cancellations,
/// manual attendance); hours, stars and certificates stay, verifiable, under the pseudonym.
pub struct VolunteerService;

#[async_trait::async_trait]
impl crate::domain::people::privacy::PersonalData for VolunteerService {
    fn section(&self) -> &'static str {
        "volunteerService"
    }
    async fn export(
        &self,
        cx: &crate::domain::people::privacy::Context<'_>,
        txn: &sea_orm::DatabaseTransaction,
    ) -> DomainResult<serde_json::Value> {
        use entity::{service_record, signup};
        let id = cx.person.id;
        Ok(crate::domain::people::privacy::Export::new()
            .part("signups", signup::Entity::find().filter(signup::Column::VolunteerId.eq(id)).all(txn).await?)?
            .part(
                "attendance",
                attendance::Entity::find().filter(attendance::Column::VolunteerId.eq(id)).all(txn).await?,
            )?
            .part(
                "manualAttendance",
                manual_attendance::Entity::find()
                    .filter(manual_attendance::Column::VolunteerId.eq(id))
                    .all(txn)
                    .await?,
            )?
            .part("hours", hours_entry::Entity::find().filter(hours_entry::Column::VolunteerId.eq(id)).all(txn).await?)?
            .part("stars", star_award::Entity::find().filter(star_award::Column::VolunteerId.eq(id)).all(txn).await?)?
            .part(
                "serviceRecords",
                service_record::Entity::find().filter(service_record::Column::VolunteerId.eq(id)).all(txn).await?,
            )?
            .part(
                "taskInvitations",
                entity::task_invitation::Entity::find()
                    .filter(entity::task_invitation::Column::UserId.eq(id))
                    .all(txn)
                    .await?,
            )?
            .done())
    }
    async fn erase(
        &self,
        cx: &crate::domain::people::privacy::Context<'_>,
        txn: &sea_orm::DatabaseTransaction,
    ) -> DomainResult<()> {
        use entity::service_record;
        use entity::signup::{self, SignupStatus};
        use sea_orm::sea_query::Expr;
        let id = cx.person.id;
        let live = signup::Entity::find()
            .filter(signup::Column::VolunteerId.eq(id))
            .filter(signup::Column::Status.is_in([
                SignupStatus::Pending,
                SignupStatus::Confirmed,
                SignupStatus::Waitlisted,
            ]))
            .all(txn)
            .await?;
        for s in live {
            crate::domain::volunteering::signups::end_for_erasure(txn, cx.now, s).await?;
        }
        // Who was asked to which task, and how often a day.
        entity::task_invitation::Entity::delete_many()
            .filter(entity::task_invitation::Column::UserId.eq(id))
            .exec(txn)
            .await?;
        entity::dispatch_day::Entity::delete_many()
            .filter(entity::dispatch_day::Column::UserId.eq(id))
            .exec(txn)
            .await?;
        attendance::Entity::update_many()
            .col_expr(attendance::Column::CheckInLat, Expr::value(Option::<f64>::None))
            .col_expr(attendance::Column::CheckInLng, Expr::value(Option::<f64>::None))
            .col_expr(attendance::Column::CheckOutLat, Expr::value(Option::<f64>::None))
            .col_expr(attendance::Column::CheckOutLng, Expr::value(Option::<f64>::None))
            .col_expr(attendance::Column::ManualReason, Expr::value(Option::<String>::None))
            .filter(attendance::Column::VolunteerId.eq(id))
            .exec(txn)
            .await?;
        manual_attendance::Entity::update_many()
            .col_expr(manual_attendance::Column::Reason, Expr::value(String::new()))
            .col_expr(manual_attendance::Column::DecisionReason, Expr::value(Option::<String>::None))
            .filter(manual_attendance::Column::VolunteerId.eq(id))
            .exec(txn)
            .await?;
        hours_entry::Entity::update_many()
            .col_expr(hours_entry::Column::DisputeComment, Expr::value(Option::<String>::None))
            .col_expr(hours_entry::Column::Description, Expr::value(Option::<String>::None))
            .col_expr(hours_entry::Column::Reason, Expr::value(Option::<String>::None))
            .filter(hours_entry::Column::VolunteerId.eq(id))
            .exec(txn)
            .await?;
        signup::Entity::update_many()
            .col_expr(signup::Column::Reason, Expr::value(Option::<String>::None))
            .filter(signup::Column::VolunteerId.eq(id))
            .exec(txn)
            .await?;
        service_record::Entity::update_many()
            .col_expr(service_record::Column::VolunteerName, Expr::value(cx.pseudonym.clone()))
            .filter(service_record::Column::VolunteerId.eq(id))
            .exec(txn)
            .await?;
        Ok(())
    }
}
