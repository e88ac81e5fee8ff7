//! Roles of a membership (spec §2.2) and the capabilities each one has.

use std::fmt;

/// A member's role in an owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Owner = 1,
    Administrator = 2,
    Accountant = 3,
    Cashier = 4,
    Viewer = 5,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::Owner, Role::Administrator, Role::Accountant, Role::Cashier, Role::Viewer];

    pub fn from_id(id: i64) -> Option<Role> {
        Role::ALL.into_iter().find(|r| *r as i64 == id)
    }

    pub fn id(self) -> i32 {
        self as i32
    }

    pub fn name(self) -> &'static str {
        match self {
            Role::Owner => "Owner",
            Role::Administrator => "Administrator",
            Role::Accountant => "Accountant",
            Role::Cashier => "Cashier",
            Role::Viewer => "Viewer",
        }
    }

    /// The capabilities of §2.2, as listed by `GET /api/user/info`.
    pub fn permissions(self) -> Vec<Permission> {
        Permission::ALL.iter().copied().filter(|p| p.roles().contains(self)).collect()
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of roles, as a bit mask (bit n = role n). Route guards are written with these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RoleSet(pub u8);

impl RoleSet {
    pub const ALL: RoleSet = RoleSet(0b11_1110);
    pub const R1235: RoleSet = RoleSet(0b10_1110);
    pub const R123: RoleSet = RoleSet(0b00_1110);
    pub const R12: RoleSet = RoleSet(0b00_0110);
    pub const R1: RoleSet = RoleSet(0b00_0010);

    pub const fn contains(self, role: Role) -> bool {
        self.0 & (1 << role as u8) != 0
    }
}

/// Capabilities a client uses to render its menus (`GET /api/user/info`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    BalancesRead,
    MoneySend,
    WithdrawalsCreate,
    PayObjectsRead,
    PayObjectsWrite,
    InvoicesCreate,
    StatisticsRead,
    TeamManage,
    KycRead,
    KycWrite,
    SubscriptionRead,
    SubscriptionManage,
    ReferralsRead,
    IntegrationsManage,
}

impl Permission {
    pub const ALL: [Permission; 14] = [
        Permission::BalancesRead,
        Permission::MoneySend,
        Permission::WithdrawalsCreate,
        Permission::PayObjectsRead,
        Permission::PayObjectsWrite,
        Permission::InvoicesCreate,
        Permission::StatisticsRead,
        Permission::TeamManage,
        Permission::KycRead,
        Permission::KycWrite,
        Permission::SubscriptionRead,
        Permission::SubscriptionManage,
        Permission::ReferralsRead,
        Permission::IntegrationsManage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::BalancesRead => "balances.read",
            Permission::MoneySend => "money.send",
            Permission::WithdrawalsCreate => "withdrawals.create",
            Permission::PayObjectsRead => "pay_objects.read",
            Permission::PayObjectsWrite => "pay_objects.write",
            Permission::InvoicesCreate => "invoices.create",
            Permission::StatisticsRead => "statistics.read",
            Permission::TeamManage => "team.manage",
            Permission::KycRead => "kyc.read",
            Permission::KycWrite => "kyc.write",
            Permission::SubscriptionRead => "subscription.read",
            Permission::SubscriptionManage => "subscription.manage",
            Permission::ReferralsRead => "referrals.read",
            Permission::IntegrationsManage => "integrations.manage",
        }
    }

    /// Who holds the capability, from the table of §2.2. The cashier's pay-object, invoice and
    /// statistics rights are limited to its terminals, which the services enforce.
    pub fn roles(self) -> RoleSet {
        match self {
            Permission::BalancesRead => RoleSet::R1235,
            Permission::MoneySend | Permission::WithdrawalsCreate => RoleSet::R12,
            Permission::PayObjectsRead | Permission::StatisticsRead => RoleSet::ALL,
            Permission::PayObjectsWrite => RoleSet::R12,
            Permission::InvoicesCreate => RoleSet(RoleSet::R12.0 | 1 << 4),
            Permission::TeamManage | Permission::KycWrite | Permission::IntegrationsManage => RoleSet::R12,
            Permission::KycRead => RoleSet::R123,
            Permission::SubscriptionRead | Permission::ReferralsRead => RoleSet::R1235,
            Permission::SubscriptionManage => RoleSet::R1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_sets_match_the_spec_table() {
        assert!(RoleSet::R1235.contains(Role::Viewer));
        assert!(!RoleSet::R1235.contains(Role::Cashier));
        assert!(RoleSet::R12.contains(Role::Administrator));
        assert!(!RoleSet::R12.contains(Role::Accountant));
        assert!(Role::ALL.iter().all(|r| RoleSet::ALL.contains(*r)));
    }

    #[test]
    fn permissions_per_role() {
        let owner: Vec<_> = Role::Owner.permissions().iter().map(|p| p.as_str()).collect();
        assert_eq!(owner.len(), 14);
        let cashier: Vec<_> = Role::Cashier.permissions().iter().map(|p| p.as_str()).collect();
        assert_eq!(cashier, ["pay_objects.read", "invoices.create", "statistics.read"]);
        let admin = Role::Administrator.permissions();
        assert!(!admin.contains(&Permission::SubscriptionManage));
    }
}
