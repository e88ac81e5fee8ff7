//! The chain watchers against real nodes (anvil) and in-process servers speaking a node's wire
//! format, through the HTTP surface a merchant uses.

/// Tests run on SQLite and, when it is available, PostgreSQL, each with the chain fixture that
/// `$start(backend) -> (TestApp, fixture)` sets up (a node and the instance watching it).
macro_rules! chain_tests {
    (start = $start:path; $(async fn $name:ident($app:ident, $net:ident: $fixture:ty) $body:block)+) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[allow(unused_mut, unused_variables)]
            async fn run(mut $app: TestApp, $net: $fixture) $body
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let (app, net) = $start(Backend::Sqlite).await;
                run(app, net).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if Backend::available().contains(&Backend::Postgres) {
                    let (app, net) = $start(Backend::Postgres).await;
                    run(app, net).await
                }
            }
        }
    )+};
}

mod bitcoin;
mod evm;
mod isolation;
mod killed;
mod tron;
