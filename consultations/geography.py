"""Sub-regions of the United Nations geoscheme (M49), to spread breakout groups by origin
and to count participation by region."""

from flask_babel import lazy_gettext as _l

#: Sub-region name, and the ISO 3166 alpha-2 codes of its countries and territories.
SUB_REGIONS = {
    "northern_africa": (_l("Northern Africa"), "DZ EG LY MA SD TN EH"),
    "eastern_africa": (_l("Eastern Africa"),
                       "BI KM DJ ER ET KE MG MW MU YT MZ RE RW SC SO SS UG TZ ZM ZW IO TF"),
    "middle_africa": (_l("Middle Africa"), "AO CM CF TD CG CD GQ GA ST"),
    "southern_africa": (_l("Southern Africa"), "BW SZ LS NA ZA"),
    "western_africa": (_l("Western Africa"),
                       "BJ BF CV CI GM GH GN GW LR ML MR NE NG SH SN SL TG"),
    "caribbean": (_l("Caribbean"), "AI AG AW BS BB BQ VG KY CU CW DM DO GD GP HT JM MQ MS PR "
                                   "BL KN LC MF VC SX TT TC VI"),
    "central_america": (_l("Central America"), "BZ CR SV GT HN MX NI PA"),
    "south_america": (_l("South America"), "AR BO BV BR CL CO EC FK GF GY PY PE GS SR UY VE"),
    "northern_america": (_l("Northern America"), "BM CA GL PM US"),
    "central_asia": (_l("Central Asia"), "KZ KG TJ TM UZ"),
    "eastern_asia": (_l("Eastern Asia"), "CN HK MO KP JP MN KR TW"),
    "south_eastern_asia": (_l("South-eastern Asia"), "BN KH ID LA MY MM PH SG TH TL VN"),
    "southern_asia": (_l("Southern Asia"), "AF BD BT IN IR MV NP PK LK"),
    "western_asia": (_l("Western Asia"), "AM AZ BH CY GE IQ IL JO KW LB OM QA SA PS SY TR AE "
                                         "YE"),
    "eastern_europe": (_l("Eastern Europe"), "BY BG CZ HU PL MD RO RU SK UA"),
    "northern_europe": (_l("Northern Europe"), "AX DK EE FO FI GG IS IE IM JE LV LT NO SJ SE "
                                               "GB"),
    "southern_europe": (_l("Southern Europe"), "AL AD BA HR GI GR VA IT MT ME MK PT SM RS SI "
                                               "ES XK"),
    "western_europe": (_l("Western Europe"), "AT BE FR DE LI LU MC NL CH"),
    "australia_new_zealand": (_l("Australia and New Zealand"), "AU CX CC HM NZ NF"),
    "melanesia": (_l("Melanesia"), "FJ NC PG SB VU"),
    "micronesia": (_l("Micronesia"), "GU KI MH FM NR MP PW UM"),
    "polynesia": (_l("Polynesia"), "AS CK PF NU PN WS TK TO TV WF"),
}

_SUB_REGION_OF = {
    code: key for key, (_label, codes) in SUB_REGIONS.items() for code in codes.split()
}


def sub_region_of(country: str) -> str:
    """The geoscheme sub-region of a country code, or "" when it has none (Antarctica)."""
    return _SUB_REGION_OF.get(country.upper(), "")


def sub_region_label(key: str) -> str:
    return str(SUB_REGIONS[key][0]) if key in SUB_REGIONS else ""
