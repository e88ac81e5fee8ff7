//! The invoice state machine of §2.9, as pure code: given an invoice's facts, its payments and
//! the time, what its status and exception are now. Services persist the result and emit the
//! events for what changed.

use crate::Amount;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    New = 1,
    AwaitingPayment = 2,
    Processing = 3,
    Paid = 4,
    Expired = 5,
    Invalid = 6,
}

impl Status {
    pub fn from_id(id: i64) -> Option<Status> {
        [Status::New, Status::AwaitingPayment, Status::Processing, Status::Paid, Status::Expired, Status::Invalid]
            .into_iter()
            .find(|s| *s as i64 == id)
    }

    pub fn id(self) -> i64 {
        self as i64
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exception {
    None,
    PaidPartial,
    PaidOver,
    PaidLate,
}

impl Exception {
    pub fn as_str(self) -> &'static str {
        match self {
            Exception::None => "none",
            Exception::PaidPartial => "paid_partial",
            Exception::PaidOver => "paid_over",
            Exception::PaidLate => "paid_late",
        }
    }

    pub fn parse(s: &str) -> Exception {
        match s {
            "paid_partial" => Exception::PaidPartial,
            "paid_over" => Exception::PaidOver,
            "paid_late" => Exception::PaidLate,
            _ => Exception::None,
        }
    }
}

/// The 24-hour monitoring window (from expiry, or from entering status 3).
pub const MONITORING_SECONDS: i64 = 24 * 3600;

/// What the machine needs to know about an invoice.
#[derive(Debug, Clone)]
pub struct Facts {
    pub status: Status,
    pub exception: Exception,
    /// In the paying token; `None` before a token is chosen.
    pub amount_due: Option<Amount>,
    pub token_decimals: i64,
    /// Hundredths of a percent.
    pub tolerance_bp: i64,
    pub expires_at: i64,
    /// When status 3 was entered.
    pub processing_since: Option<i64>,
}

/// A payment to the invoice's address as the watcher sees it.
#[derive(Debug, Clone)]
pub struct PaymentFact {
    pub amount: Amount,
    pub confirmed: bool,
    pub replaced: bool,
}

/// The outcome of one evaluation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: Status,
    pub exception: Exception,
    /// Set when the invoice entered status 3 now.
    pub processing_since: Option<i64>,
    /// Status 4 or `paid_late` reached now.
    pub paid_now: bool,
}

/// `amount_due` × (1 − tolerance), rounded up to the token's decimals.
pub fn threshold(due: &Amount, tolerance_bp: i64, decimals: i64) -> Amount {
    let keep = Amount::from_int(10_000 - tolerance_bp);
    due.mul(&keep).div(&Amount::from_int(10_000)).unwrap_or_default().round_up(decimals)
}

/// Whether payments to the invoice still change it (else they are plain deposits).
pub fn monitoring(f: &Facts, now: i64) -> bool {
    match f.status {
        Status::New | Status::AwaitingPayment => true,
        Status::Processing => f.processing_since.is_none_or(|t| now < t + MONITORING_SECONDS),
        Status::Expired => now < f.expires_at + MONITORING_SECONDS,
        Status::Paid | Status::Invalid => false,
    }
}

/// Applies §2.9 to the current facts.
pub fn evaluate(f: &Facts, payments: &[PaymentFact], now: i64) -> Outcome {
    let keep = Outcome { status: f.status, exception: f.exception, processing_since: None, paid_now: false };
    let Some(due) = &f.amount_due else {
        // No token chosen: only expiry can happen.
        return if f.status == Status::New && now >= f.expires_at {
            Outcome { status: Status::Expired, ..keep }
        } else {
            keep
        };
    };
    let live: Vec<&PaymentFact> = payments.iter().filter(|p| !p.replaced).collect();
    let paid: Amount = live.iter().map(|p| p.amount.clone()).sum();
    let confirmed: Amount = live.iter().filter(|p| p.confirmed).map(|p| p.amount.clone()).sum();
    let need = threshold(due, f.tolerance_bp, f.token_decimals);
    let expired = now >= f.expires_at;
    let over_or = |e: Exception| if paid > *due { Exception::PaidOver } else { e };
    match f.status {
        Status::New | Status::AwaitingPayment => {
            if paid >= need && !expired {
                if confirmed >= need {
                    return Outcome {
                        status: Status::Paid,
                        exception: over_or(Exception::None),
                        processing_since: Some(now),
                        paid_now: true,
                    };
                }
                return Outcome {
                    status: Status::Processing,
                    exception: over_or(Exception::None),
                    processing_since: Some(now),
                    paid_now: false,
                };
            }
            let partial = if paid.is_positive() { Exception::PaidPartial } else { Exception::None };
            if expired {
                let late = paid >= need && now < f.expires_at + MONITORING_SECONDS;
                return Outcome {
                    status: Status::Expired,
                    exception: if late { Exception::PaidLate } else { partial },
                    processing_since: None,
                    paid_now: late && confirmed >= need,
                };
            }
            Outcome { exception: partial, ..keep }
        }
        Status::Processing => {
            if confirmed >= need {
                return Outcome {
                    status: Status::Paid,
                    exception: over_or(Exception::None),
                    processing_since: None,
                    paid_now: true,
                };
            }
            let window_over = f.processing_since.is_some_and(|t| now >= t + MONITORING_SECONDS);
            if paid < need {
                // A replaced payment dropped the sum: back to waiting before expiry, invalid after.
                let partial = if paid.is_positive() { Exception::PaidPartial } else { Exception::None };
                return if expired {
                    Outcome { status: Status::Invalid, exception: partial, ..keep }
                } else {
                    Outcome { status: Status::AwaitingPayment, exception: partial, ..keep }
                };
            }
            if window_over {
                return Outcome { status: Status::Invalid, ..keep };
            }
            Outcome { exception: over_or(Exception::None), ..keep }
        }
        Status::Expired => {
            if now >= f.expires_at + MONITORING_SECONDS {
                return keep;
            }
            if paid >= need {
                let became_late = f.exception != Exception::PaidLate;
                return Outcome { exception: Exception::PaidLate, paid_now: became_late, ..keep };
            }
            let partial = if paid.is_positive() { Exception::PaidPartial } else { Exception::None };
            Outcome { exception: partial, ..keep }
        }
        Status::Paid | Status::Invalid => keep,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> Amount {
        Amount::parse(s).unwrap()
    }

    fn facts(status: Status) -> Facts {
        Facts {
            status,
            exception: Exception::None,
            amount_due: Some(a("10")),
            token_decimals: 6,
            tolerance_bp: 0,
            expires_at: 1000,
            processing_since: None,
        }
    }

    fn pay(amount: &str, confirmed: bool) -> PaymentFact {
        PaymentFact { amount: a(amount), confirmed, replaced: false }
    }

    #[test]
    fn new_invoice_expires_without_a_token() {
        let f = Facts { amount_due: None, ..facts(Status::New) };
        assert_eq!(evaluate(&f, &[], 999).status, Status::New);
        assert_eq!(evaluate(&f, &[], 1000).status, Status::Expired);
    }

    #[test]
    fn awaiting_to_processing_to_paid() {
        let f = facts(Status::AwaitingPayment);
        assert_eq!(evaluate(&f, &[], 10).status, Status::AwaitingPayment);
        let o = evaluate(&f, &[pay("10", false)], 10);
        assert_eq!((o.status, o.exception, o.processing_since), (Status::Processing, Exception::None, Some(10)));
        let p = Facts { processing_since: Some(10), ..facts(Status::Processing) };
        let o = evaluate(&p, &[pay("10", true)], 20);
        assert_eq!((o.status, o.paid_now), (Status::Paid, true));
        // seen and confirmed in one step
        assert_eq!(evaluate(&f, &[pay("10", true)], 10).status, Status::Paid);
    }

    #[test]
    fn partial_then_topped_up_and_over() {
        let f = facts(Status::AwaitingPayment);
        let o = evaluate(&f, &[pay("4", true)], 10);
        assert_eq!((o.status, o.exception), (Status::AwaitingPayment, Exception::PaidPartial));
        let o = evaluate(&f, &[pay("4", true), pay("6", false)], 10);
        assert_eq!((o.status, o.exception), (Status::Processing, Exception::None));
        let o = evaluate(&f, &[pay("12", true)], 10);
        assert_eq!((o.status, o.exception), (Status::Paid, Exception::PaidOver));
    }

    #[test]
    fn tolerance_lowers_the_threshold_rounded_up() {
        assert_eq!(threshold(&a("10"), 250, 6).to_plain(), "9.75");
        assert_eq!(threshold(&a("0.000001"), 100, 6).to_plain(), "0.000001");
        let f = Facts { tolerance_bp: 250, ..facts(Status::AwaitingPayment) };
        assert_eq!(evaluate(&f, &[pay("9.75", true)], 10).status, Status::Paid);
        assert_eq!(evaluate(&f, &[pay("9.749999", true)], 10).status, Status::AwaitingPayment);
    }

    #[test]
    fn expiry_partial_and_late_payment() {
        let f = facts(Status::AwaitingPayment);
        let o = evaluate(&f, &[], 1000);
        assert_eq!((o.status, o.exception), (Status::Expired, Exception::None));
        let o = evaluate(&f, &[pay("3", true)], 1000);
        assert_eq!((o.status, o.exception), (Status::Expired, Exception::PaidPartial));
        let e = Facts { exception: Exception::PaidPartial, ..facts(Status::Expired) };
        let o = evaluate(&e, &[pay("3", true), pay("7", true)], 2000);
        assert_eq!((o.status, o.exception, o.paid_now), (Status::Expired, Exception::PaidLate, true));
        // after the monitoring window nothing changes any more
        let o = evaluate(&e, &[pay("10", true)], 1000 + MONITORING_SECONDS);
        assert_eq!((o.status, o.exception), (Status::Expired, Exception::PaidPartial));
        assert!(!monitoring(&e, 1000 + MONITORING_SECONDS));
    }

    #[test]
    fn replaced_payment_goes_back_or_invalid() {
        let p = Facts { processing_since: Some(10), ..facts(Status::Processing) };
        let gone = PaymentFact { replaced: true, ..pay("10", false) };
        assert_eq!(evaluate(&p, std::slice::from_ref(&gone), 20).status, Status::AwaitingPayment);
        assert_eq!(evaluate(&p, &[gone], 1000).status, Status::Invalid);
        // the monitoring window ends without confirmations
        let o = evaluate(&p, &[pay("10", false)], 10 + MONITORING_SECONDS);
        assert_eq!(o.status, Status::Invalid);
    }

    #[test]
    fn final_states_do_not_move() {
        for s in [Status::Paid, Status::Invalid] {
            assert_eq!(evaluate(&facts(s), &[pay("100", true)], 10).status, s);
            assert!(!monitoring(&facts(s), 10));
        }
    }
}
