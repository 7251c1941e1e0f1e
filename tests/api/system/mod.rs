//! Health, the job queue for administrators, limits, the command line, migrations and the API document.

mod cli;
mod health;
mod jobs_admin;
mod language;
mod limits;
mod migrations;
mod openapi;
