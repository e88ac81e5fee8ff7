//! What can go wrong talking to a chain node.

#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// The node did not answer, or answered with an error: the chain is degraded, not broken.
    #[error("node unreachable: {0}")]
    Unreachable(String),
    /// The node answered something that is not what the protocol promises.
    #[error("unexpected node answer: {0}")]
    Protocol(String),
    /// The configured connection cannot be used.
    #[error("node configuration: {0}")]
    Config(String),
}
