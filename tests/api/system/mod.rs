//! Health, the job queue for administrators, limits, the command line, migrations and the API document.

mod cli;
mod health;
mod jobs_admin;
mod limits;
mod migrations;
mod openapi;
