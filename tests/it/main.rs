//! The integration tests, one module per area, in one test binary: the
//! crate (eframe, axum, reqwest…) is linked once instead of once per file,
//! which is most of what a test build costs. `cargo test` runs them all;
//! `cargo test --test it app::` runs one module.

mod support;

mod api_calls;
mod app;
mod app_ciba;
mod app_client_auth;
mod app_endurance;
mod app_hybrid;
mod app_keychain;
mod app_logout;
mod app_mcp;
mod app_providers;
mod app_rar;
mod app_seed_providers;
mod app_token_exchange;
mod app_truth;
mod audit;
mod authz_requests;
mod boundaries;
mod browser_grants;
mod ciba;
mod cli;
mod client_auth;
mod conformance;
mod demo_authz_requests;
mod demo_client_auth;
mod demo_modes;
mod demo_provider;
mod explanations;
mod fuzz_corpus;
mod grants;
mod har;
mod hostile_servers;
mod hybrid;
mod import;
mod interop;
mod logout;
mod mcp;
mod no_secrets_in_logs;
mod oidc;
mod parsers_never_panic;
mod profile_schema;
mod providers;
mod rar;
mod resource_indicators;
mod secret_service;
mod seed_providers;
mod shell;
mod step_up;
mod tls_and_proxy;
mod token_exchange;
mod tolerant_parsing;
