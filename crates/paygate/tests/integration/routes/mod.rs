mod access;
mod auth;
mod dictionaries;
mod owner;
mod personal;
mod service;
mod tfa;
mod user;
