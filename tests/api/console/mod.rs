//! The administrators' console (`/console`): its HTTP contract without a browser (cookies,
//! CSRF, CSP, who is refused), and the journeys in headless Chromium over WebDriver.

mod admin_pages;
mod fund_pages;
mod journeys;
mod pages;
mod project_pages;
mod webdriver;
