//! Health, the job queue for administrators, limits, the command line, migrations, the API document
//! and the README's agreement with it.

mod cli;
mod health;
mod jobs_admin;
mod language;
mod limits;
mod migrations;
mod openapi;
mod readme;
mod seed_city;
