//! HTTP tests: each module drives one route (or the whole walk) of a real
//! `accounts-dev` over real HTTP, reading email and SMS from the outbox.

mod accounts;
mod appeals;
mod audit;
mod breached_passwords;
mod change_password;
mod contact_details;
mod deletion;
mod dev_routes;
mod everyday_support;
mod forgot_password;
mod front_door;
mod largest_inputs;
mod lockout_abuse;
mod materials_abuse;
mod message_events;
mod operations;
mod passkeys;
mod password_set;
mod preferences;
mod problems;
mod reauthentication;
mod remembered_devices;
mod retries;
mod robustness;
mod security_centre;
mod sessions;
mod sign_up_walk;
mod sms_abuse;
mod sms_codes;
mod sms_sign_in;
mod stack_iam;
mod sub_accounts;
mod sub_accounts_managed;
mod takeover;
mod verification;
