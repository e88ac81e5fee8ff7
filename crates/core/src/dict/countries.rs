//! ISO 3166-1 countries (ids = numeric code) with their E.164 calling code and SEPA membership.

/// One ISO 3166-1 country or territory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountryDef {
    /// ISO 3166-1 numeric code.
    pub id: i64,
    /// ISO 3166-1 alpha-2 code (upper case).
    pub code: &'static str,
    /// Common English short name.
    pub name: &'static str,
    /// International calling code including the leading `+`.
    pub phone_code: &'static str,
    /// Whether the country is part of the SEPA scheme (EU, EEA, CH, GB, MC, SM, VA, AD).
    pub sepa: bool,
}

const fn c(id: i64, code: &'static str, name: &'static str, phone_code: &'static str, sepa: bool) -> CountryDef {
    CountryDef { id, code, name, phone_code, sepa }
}

/// All officially assigned ISO 3166-1 entries, sorted by numeric id ascending.
pub const COUNTRIES: &[CountryDef] = &[
    c(4, "AF", "Afghanistan", "+93", false),
    c(8, "AL", "Albania", "+355", false),
    c(10, "AQ", "Antarctica", "+672", false),
    c(12, "DZ", "Algeria", "+213", false),
    c(16, "AS", "American Samoa", "+1", false),
    c(20, "AD", "Andorra", "+376", true),
    c(24, "AO", "Angola", "+244", false),
    c(28, "AG", "Antigua and Barbuda", "+1", false),
    c(31, "AZ", "Azerbaijan", "+994", false),
    c(32, "AR", "Argentina", "+54", false),
    c(36, "AU", "Australia", "+61", false),
    c(40, "AT", "Austria", "+43", true),
    c(44, "BS", "Bahamas", "+1", false),
    c(48, "BH", "Bahrain", "+973", false),
    c(50, "BD", "Bangladesh", "+880", false),
    c(51, "AM", "Armenia", "+374", false),
    c(52, "BB", "Barbados", "+1", false),
    c(56, "BE", "Belgium", "+32", true),
    c(60, "BM", "Bermuda", "+1", false),
    c(64, "BT", "Bhutan", "+975", false),
    c(68, "BO", "Bolivia", "+591", false),
    c(70, "BA", "Bosnia and Herzegovina", "+387", false),
    c(72, "BW", "Botswana", "+267", false),
    c(74, "BV", "Bouvet Island", "+47", false),
    c(76, "BR", "Brazil", "+55", false),
    c(84, "BZ", "Belize", "+501", false),
    c(86, "IO", "British Indian Ocean Territory", "+246", false),
    c(90, "SB", "Solomon Islands", "+677", false),
    c(92, "VG", "British Virgin Islands", "+1", false),
    c(96, "BN", "Brunei", "+673", false),
    c(100, "BG", "Bulgaria", "+359", true),
    c(104, "MM", "Myanmar", "+95", false),
    c(108, "BI", "Burundi", "+257", false),
    c(112, "BY", "Belarus", "+375", false),
    c(116, "KH", "Cambodia", "+855", false),
    c(120, "CM", "Cameroon", "+237", false),
    c(124, "CA", "Canada", "+1", false),
    c(132, "CV", "Cape Verde", "+238", false),
    c(136, "KY", "Cayman Islands", "+1", false),
    c(140, "CF", "Central African Republic", "+236", false),
    c(144, "LK", "Sri Lanka", "+94", false),
    c(148, "TD", "Chad", "+235", false),
    c(152, "CL", "Chile", "+56", false),
    c(156, "CN", "China", "+86", false),
    c(158, "TW", "Taiwan", "+886", false),
    c(162, "CX", "Christmas Island", "+61", false),
    c(166, "CC", "Cocos (Keeling) Islands", "+61", false),
    c(170, "CO", "Colombia", "+57", false),
    c(174, "KM", "Comoros", "+269", false),
    c(175, "YT", "Mayotte", "+262", false),
    c(178, "CG", "Republic of the Congo", "+242", false),
    c(180, "CD", "DR Congo", "+243", false),
    c(184, "CK", "Cook Islands", "+682", false),
    c(188, "CR", "Costa Rica", "+506", false),
    c(191, "HR", "Croatia", "+385", true),
    c(192, "CU", "Cuba", "+53", false),
    c(196, "CY", "Cyprus", "+357", true),
    c(203, "CZ", "Czechia", "+420", true),
    c(204, "BJ", "Benin", "+229", false),
    c(208, "DK", "Denmark", "+45", true),
    c(212, "DM", "Dominica", "+1", false),
    c(214, "DO", "Dominican Republic", "+1", false),
    c(218, "EC", "Ecuador", "+593", false),
    c(222, "SV", "El Salvador", "+503", false),
    c(226, "GQ", "Equatorial Guinea", "+240", false),
    c(231, "ET", "Ethiopia", "+251", false),
    c(232, "ER", "Eritrea", "+291", false),
    c(233, "EE", "Estonia", "+372", true),
    c(234, "FO", "Faroe Islands", "+298", false),
    c(238, "FK", "Falkland Islands", "+500", false),
    c(239, "GS", "South Georgia and the South Sandwich Islands", "+500", false),
    c(242, "FJ", "Fiji", "+679", false),
    c(246, "FI", "Finland", "+358", true),
    c(248, "AX", "Åland Islands", "+358", false),
    c(250, "FR", "France", "+33", true),
    c(254, "GF", "French Guiana", "+594", false),
    c(258, "PF", "French Polynesia", "+689", false),
    c(260, "TF", "French Southern Territories", "+262", false),
    c(262, "DJ", "Djibouti", "+253", false),
    c(266, "GA", "Gabon", "+241", false),
    c(268, "GE", "Georgia", "+995", false),
    c(270, "GM", "Gambia", "+220", false),
    c(275, "PS", "Palestine", "+970", false),
    c(276, "DE", "Germany", "+49", true),
    c(288, "GH", "Ghana", "+233", false),
    c(292, "GI", "Gibraltar", "+350", false),
    c(296, "KI", "Kiribati", "+686", false),
    c(300, "GR", "Greece", "+30", true),
    c(304, "GL", "Greenland", "+299", false),
    c(308, "GD", "Grenada", "+1", false),
    c(312, "GP", "Guadeloupe", "+590", false),
    c(316, "GU", "Guam", "+1", false),
    c(320, "GT", "Guatemala", "+502", false),
    c(324, "GN", "Guinea", "+224", false),
    c(328, "GY", "Guyana", "+592", false),
    c(332, "HT", "Haiti", "+509", false),
    c(334, "HM", "Heard Island and McDonald Islands", "+672", false),
    c(336, "VA", "Vatican City", "+39", true),
    c(340, "HN", "Honduras", "+504", false),
    c(344, "HK", "Hong Kong", "+852", false),
    c(348, "HU", "Hungary", "+36", true),
    c(352, "IS", "Iceland", "+354", true),
    c(356, "IN", "India", "+91", false),
    c(360, "ID", "Indonesia", "+62", false),
    c(364, "IR", "Iran", "+98", false),
    c(368, "IQ", "Iraq", "+964", false),
    c(372, "IE", "Ireland", "+353", true),
    c(376, "IL", "Israel", "+972", false),
    c(380, "IT", "Italy", "+39", true),
    c(384, "CI", "Côte d'Ivoire", "+225", false),
    c(388, "JM", "Jamaica", "+1", false),
    c(392, "JP", "Japan", "+81", false),
    c(398, "KZ", "Kazakhstan", "+7", false),
    c(400, "JO", "Jordan", "+962", false),
    c(404, "KE", "Kenya", "+254", false),
    c(408, "KP", "North Korea", "+850", false),
    c(410, "KR", "South Korea", "+82", false),
    c(414, "KW", "Kuwait", "+965", false),
    c(417, "KG", "Kyrgyzstan", "+996", false),
    c(418, "LA", "Laos", "+856", false),
    c(422, "LB", "Lebanon", "+961", false),
    c(426, "LS", "Lesotho", "+266", false),
    c(428, "LV", "Latvia", "+371", true),
    c(430, "LR", "Liberia", "+231", false),
    c(434, "LY", "Libya", "+218", false),
    c(438, "LI", "Liechtenstein", "+423", true),
    c(440, "LT", "Lithuania", "+370", true),
    c(442, "LU", "Luxembourg", "+352", true),
    c(446, "MO", "Macau", "+853", false),
    c(450, "MG", "Madagascar", "+261", false),
    c(454, "MW", "Malawi", "+265", false),
    c(458, "MY", "Malaysia", "+60", false),
    c(462, "MV", "Maldives", "+960", false),
    c(466, "ML", "Mali", "+223", false),
    c(470, "MT", "Malta", "+356", true),
    c(474, "MQ", "Martinique", "+596", false),
    c(478, "MR", "Mauritania", "+222", false),
    c(480, "MU", "Mauritius", "+230", false),
    c(484, "MX", "Mexico", "+52", false),
    c(492, "MC", "Monaco", "+377", true),
    c(496, "MN", "Mongolia", "+976", false),
    c(498, "MD", "Moldova", "+373", false),
    c(499, "ME", "Montenegro", "+382", false),
    c(500, "MS", "Montserrat", "+1", false),
    c(504, "MA", "Morocco", "+212", false),
    c(508, "MZ", "Mozambique", "+258", false),
    c(512, "OM", "Oman", "+968", false),
    c(516, "NA", "Namibia", "+264", false),
    c(520, "NR", "Nauru", "+674", false),
    c(524, "NP", "Nepal", "+977", false),
    c(528, "NL", "Netherlands", "+31", true),
    c(531, "CW", "Curaçao", "+599", false),
    c(533, "AW", "Aruba", "+297", false),
    c(534, "SX", "Sint Maarten", "+1", false),
    c(535, "BQ", "Caribbean Netherlands", "+599", false),
    c(540, "NC", "New Caledonia", "+687", false),
    c(548, "VU", "Vanuatu", "+678", false),
    c(554, "NZ", "New Zealand", "+64", false),
    c(558, "NI", "Nicaragua", "+505", false),
    c(562, "NE", "Niger", "+227", false),
    c(566, "NG", "Nigeria", "+234", false),
    c(570, "NU", "Niue", "+683", false),
    c(574, "NF", "Norfolk Island", "+672", false),
    c(578, "NO", "Norway", "+47", true),
    c(580, "MP", "Northern Mariana Islands", "+1", false),
    c(581, "UM", "United States Minor Outlying Islands", "+1", false),
    c(583, "FM", "Micronesia", "+691", false),
    c(584, "MH", "Marshall Islands", "+692", false),
    c(585, "PW", "Palau", "+680", false),
    c(586, "PK", "Pakistan", "+92", false),
    c(591, "PA", "Panama", "+507", false),
    c(598, "PG", "Papua New Guinea", "+675", false),
    c(600, "PY", "Paraguay", "+595", false),
    c(604, "PE", "Peru", "+51", false),
    c(608, "PH", "Philippines", "+63", false),
    c(612, "PN", "Pitcairn Islands", "+64", false),
    c(616, "PL", "Poland", "+48", true),
    c(620, "PT", "Portugal", "+351", true),
    c(624, "GW", "Guinea-Bissau", "+245", false),
    c(626, "TL", "Timor-Leste", "+670", false),
    c(630, "PR", "Puerto Rico", "+1", false),
    c(634, "QA", "Qatar", "+974", false),
    c(638, "RE", "Réunion", "+262", false),
    c(642, "RO", "Romania", "+40", true),
    c(643, "RU", "Russia", "+7", false),
    c(646, "RW", "Rwanda", "+250", false),
    c(652, "BL", "Saint Barthélemy", "+590", false),
    c(654, "SH", "Saint Helena, Ascension and Tristan da Cunha", "+290", false),
    c(659, "KN", "Saint Kitts and Nevis", "+1", false),
    c(660, "AI", "Anguilla", "+1", false),
    c(662, "LC", "Saint Lucia", "+1", false),
    c(663, "MF", "Saint Martin", "+590", false),
    c(666, "PM", "Saint Pierre and Miquelon", "+508", false),
    c(670, "VC", "Saint Vincent and the Grenadines", "+1", false),
    c(674, "SM", "San Marino", "+378", true),
    c(678, "ST", "São Tomé and Príncipe", "+239", false),
    c(682, "SA", "Saudi Arabia", "+966", false),
    c(686, "SN", "Senegal", "+221", false),
    c(688, "RS", "Serbia", "+381", false),
    c(690, "SC", "Seychelles", "+248", false),
    c(694, "SL", "Sierra Leone", "+232", false),
    c(702, "SG", "Singapore", "+65", false),
    c(703, "SK", "Slovakia", "+421", true),
    c(704, "VN", "Vietnam", "+84", false),
    c(705, "SI", "Slovenia", "+386", true),
    c(706, "SO", "Somalia", "+252", false),
    c(710, "ZA", "South Africa", "+27", false),
    c(716, "ZW", "Zimbabwe", "+263", false),
    c(724, "ES", "Spain", "+34", true),
    c(728, "SS", "South Sudan", "+211", false),
    c(729, "SD", "Sudan", "+249", false),
    c(732, "EH", "Western Sahara", "+212", false),
    c(740, "SR", "Suriname", "+597", false),
    c(744, "SJ", "Svalbard and Jan Mayen", "+47", false),
    c(748, "SZ", "Eswatini", "+268", false),
    c(752, "SE", "Sweden", "+46", true),
    c(756, "CH", "Switzerland", "+41", true),
    c(760, "SY", "Syria", "+963", false),
    c(762, "TJ", "Tajikistan", "+992", false),
    c(764, "TH", "Thailand", "+66", false),
    c(768, "TG", "Togo", "+228", false),
    c(772, "TK", "Tokelau", "+690", false),
    c(776, "TO", "Tonga", "+676", false),
    c(780, "TT", "Trinidad and Tobago", "+1", false),
    c(784, "AE", "United Arab Emirates", "+971", false),
    c(788, "TN", "Tunisia", "+216", false),
    c(792, "TR", "Turkey", "+90", false),
    c(795, "TM", "Turkmenistan", "+993", false),
    c(796, "TC", "Turks and Caicos Islands", "+1", false),
    c(798, "TV", "Tuvalu", "+688", false),
    c(800, "UG", "Uganda", "+256", false),
    c(804, "UA", "Ukraine", "+380", false),
    c(807, "MK", "North Macedonia", "+389", false),
    c(818, "EG", "Egypt", "+20", false),
    c(826, "GB", "United Kingdom", "+44", true),
    c(831, "GG", "Guernsey", "+44", false),
    c(832, "JE", "Jersey", "+44", false),
    c(833, "IM", "Isle of Man", "+44", false),
    c(834, "TZ", "Tanzania", "+255", false),
    c(840, "US", "United States", "+1", false),
    c(850, "VI", "U.S. Virgin Islands", "+1", false),
    c(854, "BF", "Burkina Faso", "+226", false),
    c(858, "UY", "Uruguay", "+598", false),
    c(860, "UZ", "Uzbekistan", "+998", false),
    c(862, "VE", "Venezuela", "+58", false),
    c(876, "WF", "Wallis and Futuna", "+681", false),
    c(882, "WS", "Samoa", "+685", false),
    c(887, "YE", "Yemen", "+967", false),
    c(894, "ZM", "Zambia", "+260", false),
];

/// Looks up a country by its ISO 3166-1 numeric code.
pub fn country(id: i64) -> Option<&'static CountryDef> {
    COUNTRIES.binary_search_by_key(&id, |c| c.id).ok().map(|i| &COUNTRIES[i])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn has_249_entries() {
        assert_eq!(COUNTRIES.len(), 249);
    }

    #[test]
    fn ids_strictly_ascending() {
        for w in COUNTRIES.windows(2) {
            assert!(w[0].id < w[1].id, "{} !< {}", w[0].id, w[1].id);
        }
        assert!(COUNTRIES.iter().all(|c| c.id > 0 && c.id < 1000));
    }

    #[test]
    fn codes_unique_and_well_formed() {
        let mut seen = HashSet::new();
        for c in COUNTRIES {
            assert_eq!(c.code.len(), 2, "{}", c.code);
            assert!(c.code.bytes().all(|b| b.is_ascii_uppercase()), "{}", c.code);
            assert!(seen.insert(c.code), "duplicate {}", c.code);
            assert!(!c.name.is_empty());
        }
    }

    #[test]
    fn sepa_count() {
        assert_eq!(COUNTRIES.iter().filter(|c| c.sepa).count(), 36);
        let expected = [
            "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
            "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO", "CH", "GB", "MC", "SM", "VA", "AD",
        ];
        for c in COUNTRIES {
            assert_eq!(c.sepa, expected.contains(&c.code), "{}", c.code);
        }
    }

    #[test]
    fn phone_codes_well_formed() {
        for c in COUNTRIES {
            let rest = c.phone_code.strip_prefix('+').unwrap_or_else(|| panic!("{}: {}", c.code, c.phone_code));
            assert!(!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()), "{}: {}", c.code, c.phone_code);
        }
    }

    #[test]
    fn lookups() {
        let cz = country(203).unwrap();
        assert_eq!(cz.code, "CZ");
        assert_eq!(cz.name, "Czechia");
        assert_eq!(cz.phone_code, "+420");
        assert!(cz.sepa);
        let us = country(840).unwrap();
        assert_eq!(us.code, "US");
        assert_eq!(us.phone_code, "+1");
        assert!(!us.sepa);
        assert_eq!(country(826).unwrap().code, "GB");
        assert!(country(999).is_none());
        assert!(country(0).is_none());
        for c in COUNTRIES {
            assert_eq!(country(c.id), Some(c));
        }
    }
}
