"""HUD Appendix B code lists (FY2026) used by the files we read and write, as IntegerChoices.

``LISTS`` maps a list id (as named in ``columns``) to its valid values. A column naming a list
that is not here (program-specific lists such as R1.1 or V7.A) is checked as a non-negative
integer only.
"""

from django.db import models

from hmis.projects.models import ProjectType  # 2.02.6, defined once with the Project model

# Missing-data codes shared by many lists.
DOESNT_KNOW, PREFERS_NOT, NOT_COLLECTED = 8, 9, 99


class ExportPeriodType(models.IntegerChoices):  # 1.1
    UPDATED = 1, "Updated"
    REPORTING_PERIOD = 3, "Reporting period"
    OTHER = 4, "Other"


class ExportDirective(models.IntegerChoices):  # 1.2
    DELTA_REFRESH = 1, "Delta refresh"
    FULL_REFRESH = 2, "Full refresh"
    OTHER = 3, "Other"


class HashStatus(models.IntegerChoices):  # 1.5
    UNHASHED = 1, "Unhashed"
    SHA1_RHY = 2, "SHA-1 RHY"
    HASHED_OTHER = 3, "Hashed - other"
    SHA256 = 4, "SHA-256"


class SourceType(models.IntegerChoices):  # 1.9
    COC_HMIS = 1, "CoC HMIS"
    STANDALONE = 2, "Standalone/agency-specific application"
    DATA_WAREHOUSE = 3, "Data warehouse"
    OTHER = 4, "Other"


class NoYes(models.IntegerChoices):  # 1.10
    NO = 0, "No"
    YES = 1, "Yes"


class NoYesMissing(models.IntegerChoices):  # 1.7
    NO = 0, "No"
    YES = 1, "Yes"
    NOT_COLLECTED = 99, "Data not collected"


class NoYesReasons(models.IntegerChoices):  # 1.8
    NO = 0, "No"
    YES = 1, "Yes"
    DOESNT_KNOW = 8, "Client doesn't know"
    PREFERS_NOT = 9, "Client prefers not to answer"
    NOT_COLLECTED = 99, "Data not collected"


class RaceNone(models.IntegerChoices):  # 1.6
    DOESNT_KNOW = 8, "Client doesn't know"
    PREFERS_NOT = 9, "Client prefers not to answer"
    NOT_COLLECTED = 99, "Data not collected"


class DisabilityType(models.IntegerChoices):  # 1.3
    PHYSICAL = 5, "Physical disability"
    DEVELOPMENTAL = 6, "Developmental disability"
    CHRONIC_HEALTH = 7, "Chronic health condition"
    HIV_AIDS = 8, "HIV/AIDS"
    MENTAL_HEALTH = 9, "Mental health disorder"
    SUBSTANCE_USE = 10, "Substance use disorder"


class RecordType(models.IntegerChoices):  # 1.4
    PATH_SERVICE = 141, "PATH service"
    RHY_SERVICE = 142, "RHY service connections"
    HOPWA_SERVICE = 143, "HOPWA service"
    SSVF_SERVICE = 144, "SSVF service"
    HOPWA_FINANCIAL_ASSISTANCE = 151, "HOPWA financial assistance"
    SSVF_FINANCIAL_ASSISTANCE = 152, "SSVF financial assistance"
    PATH_REFERRAL = 161, "PATH referral"
    BED_NIGHT = 200, "Bed night"
    HUD_VASH_OTH_VOUCHER = 210, "HUD-VASH OTH voucher tracking"
    MOVING_ON_ASSISTANCE = 300, "Moving On assistance"


class RRHSubType(models.IntegerChoices):  # 2.02.A
    SERVICES_ONLY = 1, "RRH: Services Only"
    HOUSING = 2, "RRH: Housing with or without services"


class HousingType(models.IntegerChoices):  # 2.02.D
    SINGLE_SITE = 1, "Site-based - single site"
    CLUSTERED = 2, "Site-based - clustered/multiple sites"
    SCATTERED = 3, "Tenant-based - scattered site"


class TargetPopulation(models.IntegerChoices):  # 2.02.7
    DV_SURVIVORS = 1, "Domestic violence survivors"
    HIV_AIDS = 3, "Persons with HIV/AIDS"
    NOT_APPLICABLE = 4, "Not applicable"


class HOPWAMedAssistedLivingFac(models.IntegerChoices):  # 2.02.8
    NO = 0, "No"
    YES = 1, "Yes"
    NON_HOPWA = 2, "Non-HOPWA funded project"


class GeographyType(models.IntegerChoices):  # 2.03.4
    URBAN = 1, "Urban"
    SUBURBAN = 2, "Suburban"
    RURAL = 3, "Rural"
    UNKNOWN = 99, "Unknown/data not collected"


class HouseholdType(models.IntegerChoices):  # 2.07.4
    WITHOUT_CHILDREN = 1, "Households without children"
    ADULT_AND_CHILD = 3, "Households with at least one adult and one child"
    ONLY_CHILDREN = 4, "Households with only children"


class BedType(models.IntegerChoices):  # 2.07.5
    FACILITY_BASED = 1, "Facility-based"
    VOUCHER = 2, "Voucher"
    OTHER = 3, "Other"


class Availability(models.IntegerChoices):  # 2.07.6
    YEAR_ROUND = 1, "Year-round"
    SEASONAL = 2, "Seasonal"
    OVERFLOW = 3, "Overflow"


class NameDataQuality(models.IntegerChoices):  # 3.01.5
    FULL = 1, "Full name reported"
    PARTIAL = 2, "Partial, street name, or code name reported"
    DOESNT_KNOW = 8, "Client doesn't know"
    PREFERS_NOT = 9, "Client prefers not to answer"
    NOT_COLLECTED = 99, "Data not collected"


class SSNDataQuality(models.IntegerChoices):  # 3.02.2
    FULL = 1, "Full SSN reported"
    PARTIAL = 2, "Approximate or partial SSN reported"
    DOESNT_KNOW = 8, "Client doesn't know"
    PREFERS_NOT = 9, "Client prefers not to answer"
    NOT_COLLECTED = 99, "Data not collected"


class DOBDataQuality(models.IntegerChoices):  # 3.03.2
    FULL = 1, "Full DOB reported"
    PARTIAL = 2, "Approximate or partial DOB reported"
    DOESNT_KNOW = 8, "Client doesn't know"
    PREFERS_NOT = 9, "Client prefers not to answer"
    NOT_COLLECTED = 99, "Data not collected"


class RelationshipToHoH(models.IntegerChoices):  # 3.15.1
    SELF = 1, "Self (head of household)"
    CHILD = 2, "Head of household's child"
    SPOUSE_OR_PARTNER = 3, "Head of household's spouse or partner"
    OTHER_RELATION = 4, "Head of household's other relation member"
    NON_RELATION = 5, "Other: non-relation member"
    NOT_COLLECTED = 99, "Data not collected"


class Sex(models.IntegerChoices):  # 4.21 (FY2026)
    FEMALE = 0, "Female"
    MALE = 1, "Male"
    DOESNT_KNOW = 8, "Client doesn't know"
    PREFERS_NOT = 9, "Client prefers not to answer"
    NOT_COLLECTED = 99, "Data not collected"


class DataCollectionStage(models.IntegerChoices):  # 5.03.1
    PROJECT_ENTRY = 1, "Project entry"
    UPDATE = 2, "Update"
    PROJECT_EXIT = 3, "Project exit"
    ANNUAL_ASSESSMENT = 5, "Annual assessment"
    POST_EXIT = 6, "Post-exit"


class RentalSubsidyType(models.IntegerChoices):  # 3.12.A
    GPD_TIP = 428, "GPD TIP housing subsidy"
    VASH = 419, "VASH housing subsidy"
    RRH = 431, "RRH or equivalent subsidy"
    HCV = 433, "HCV voucher (tenant or project based) (not dedicated)"
    PUBLIC_HOUSING = 434, "Public housing unit"
    OTHER_ONGOING = 420, "Rental by client, with other ongoing housing subsidy"
    HOUSING_STABILITY_VOUCHER = 436, "Housing Stability Voucher"
    FUP = 437, "Family Unification Program Voucher (FUP)"
    FYI = 438, "Foster Youth to Independence Initiative (FYI)"
    PSH = 439, "Permanent Supportive Housing"
    OTHER_PH = 440, "Other permanent housing dedicated for formerly homeless persons"


class LivingSituation(models.IntegerChoices):  # 3.12.1
    PLACE_NOT_MEANT = 116, "Place not meant for habitation"
    EMERGENCY_SHELTER = 101, "Emergency shelter"
    SAFE_HAVEN = 118, "Safe Haven"
    FOSTER_CARE = 215, "Foster care home or foster care group home"
    HOSPITAL = 206, "Hospital or other residential non-psychiatric medical facility"
    JAIL = 207, "Jail, prison, or juvenile detention facility"
    LONG_TERM_CARE = 225, "Long-term care facility or nursing home"
    PSYCHIATRIC = 204, "Psychiatric hospital or other psychiatric facility"
    SUBSTANCE_USE_TREATMENT = 205, "Substance abuse treatment facility or detox center"
    TRANSITIONAL_HOUSING = 302, "Transitional housing for homeless persons"
    HALFWAY_HOUSE = 329, "Residential project or halfway house with no homeless criteria"
    HOTEL_NO_VOUCHER = 314, "Hotel or motel paid for without emergency shelter voucher"
    HOST_HOME = 332, "Host Home (non-crisis)"
    FAMILY_TEMPORARY = 312, "Staying or living with family, temporary tenure"
    FRIENDS_TEMPORARY = 313, "Staying or living with friends, temporary tenure"
    HOPWA_TH = 327, "Moved from one HOPWA funded project to HOPWA TH"
    FRIENDS_ROOM = 336, "Staying or living in a friend's room, apartment, or house"
    FAMILY_ROOM = 335, "Staying or living in a family member's room, apartment, or house"
    FAMILY_PERMANENT = 422, "Staying or living with family, permanent tenure"
    FRIENDS_PERMANENT = 423, "Staying or living with friends, permanent tenure"
    HOPWA_PH = 426, "Moved from one HOPWA funded project to HOPWA PH"
    RENTAL_NO_SUBSIDY = 410, "Rental by client, no ongoing housing subsidy"
    RENTAL_WITH_SUBSIDY = 435, "Rental by client, with ongoing housing subsidy"
    OWNED_WITH_SUBSIDY = 421, "Owned by client, with ongoing housing subsidy"
    OWNED_NO_SUBSIDY = 411, "Owned by client, no ongoing housing subsidy"
    NO_EXIT_INTERVIEW = 30, "No exit interview completed"
    OTHER = 17, "Other"
    DECEASED = 24, "Deceased"
    WORKER_UNABLE = 37, "Worker unable to determine"
    DOESNT_KNOW = 8, "Client doesn't know"
    PREFERS_NOT = 9, "Client prefers not to answer"
    NOT_COLLECTED = 99, "Data not collected"


NOT_PRIOR_LIVING_SITUATION = frozenset({312, 313, 327, 422, 423, 426, 30, 17, 24, 37})
NOT_DESTINATION = frozenset({336, 335, 37})


class LengthOfStay(models.IntegerChoices):  # 3.917.2
    ONE_NIGHT_OR_LESS = 10, "One night or less"
    TWO_TO_SIX_NIGHTS = 11, "Two to six nights"
    ONE_WEEK_TO_MONTH = 2, "One week or more, but less than one month"
    ONE_MONTH_TO_90_DAYS = 3, "One month or more, but less than 90 days"
    NINETY_DAYS_TO_YEAR = 4, "90 days or more, but less than one year"
    ONE_YEAR_OR_LONGER = 5, "One year or longer"
    DOESNT_KNOW = 8, "Client doesn't know"
    PREFERS_NOT = 9, "Client prefers not to answer"
    NOT_COLLECTED = 99, "Data not collected"


class TimesHomelessPastThreeYears(models.IntegerChoices):  # 3.917.4
    ONE = 1, "One time"
    TWO = 2, "Two times"
    THREE = 3, "Three times"
    FOUR_OR_MORE = 4, "Four or more times"
    DOESNT_KNOW = 8, "Client doesn't know"
    PREFERS_NOT = 9, "Client prefers not to answer"
    NOT_COLLECTED = 99, "Data not collected"


class MonthsHomelessPastThreeYears(models.IntegerChoices):  # 3.917.5
    ONE = 101, "One month (this time is the first month)"
    TWO = 102, "2 months"
    THREE = 103, "3 months"
    FOUR = 104, "4 months"
    FIVE = 105, "5 months"
    SIX = 106, "6 months"
    SEVEN = 107, "7 months"
    EIGHT = 108, "8 months"
    NINE = 109, "9 months"
    TEN = 110, "10 months"
    ELEVEN = 111, "11 months"
    TWELVE = 112, "12 months"
    MORE_THAN_TWELVE = 113, "More than 12 months"
    DOESNT_KNOW = 8, "Client doesn't know"
    PREFERS_NOT = 9, "Client prefers not to answer"
    NOT_COLLECTED = 99, "Data not collected"


# 2.06.1: 1-11, 13-27, 30, 33-48, 50-56 (labels: HUD Appendix B).
FUNDING_SOURCES = frozenset([*range(1, 12), *range(13, 28), 30, *range(33, 49), *range(50, 57)])


# --- Services: the list that governs TypeProvided for each RecordType (reference section 6) ---


class PATHService(models.IntegerChoices):  # P1.2
    RE_ENGAGEMENT = 1, "Re-engagement"
    SCREENING = 2, "Screening"
    HABILITATION = 3, "Habilitation/rehabilitation"
    COMMUNITY_MENTAL_HEALTH = 4, "Community mental health"
    SUBSTANCE_USE_TREATMENT = 5, "Substance use treatment"
    CASE_MANAGEMENT = 6, "Case management"
    RESIDENTIAL_SUPPORTIVE = 7, "Residential supportive services"
    HOUSING_MINOR_RENOVATION = 8, "Housing minor renovation"
    HOUSING_MOVING_ASSISTANCE = 9, "Housing moving assistance"
    HOUSING_ELIGIBILITY = 10, "Housing eligibility determination"
    SECURITY_DEPOSITS = 11, "Security deposits"
    ONE_TIME_RENT = 12, "One-time rent for eviction prevention"
    CLINICAL_ASSESSMENT = 14, "Clinical assessment"


class RHYService(models.IntegerChoices):  # R14.2
    COMMUNITY_SERVICE = 2, "Community service/service learning (CSL)"
    EDUCATION = 5, "Education"
    EMPLOYMENT = 6, "Employment and training services"
    CRIMINAL_JUSTICE = 7, "Criminal justice/legal services"
    LIFE_SKILLS = 8, "Life skills training"
    PARENTING_EDUCATION = 10, "Parenting education for youth with children"
    POST_NATAL_CLIENT = 12, "Post-natal care for client (person who gave birth)"
    PRE_NATAL = 13, "Pre-natal care"
    HEALTH = 14, "Health/medical care"
    SUD_TREATMENT = 17, "Substance use disorder treatment"
    SUD_PREVENTION = 18, "Substance use disorder Ed/Prevention services"
    HOME_BASED = 26, "Home-based services"
    POST_NATAL_NEWBORN = 27, "Post-natal newborn care (wellness exams; immunizations)"
    STD_TESTING = 28, "STD testing"
    STREET_BASED = 29, "Street-based services"


class HOPWAService(models.IntegerChoices):  # W1.2
    ADULT_DAY_CARE = 1, "Adult day care and personal assistance"
    CASE_MANAGEMENT = 2, "Case management"
    CHILD_CARE = 3, "Child care"
    CRIMINAL_JUSTICE = 4, "Criminal justice/legal services"
    EDUCATION = 5, "Education"
    EMPLOYMENT = 6, "Employment and training services"
    FOOD = 7, "Food/meals/nutritional services"
    HEALTH = 8, "Health/medical care"
    LIFE_SKILLS = 9, "Life skills training"
    MENTAL_HEALTH = 10, "Mental health care/counseling"
    OUTREACH = 11, "Outreach and/or engagement"
    SUBSTANCE_USE = 12, "Substance use services/treatment"
    TRANSPORTATION = 13, "Transportation"
    OTHER = 14, "Other HOPWA funded service"


class SSVFService(models.IntegerChoices):  # V2.2
    OUTREACH = 1, "Outreach services"
    CASE_MANAGEMENT = 2, "Case management services"
    VA_BENEFITS = 3, "Assistance obtaining VA benefits"
    OTHER_PUBLIC_BENEFITS = 4, "Assistance obtaining/coordinating other public benefits"
    DIRECT_PUBLIC_BENEFITS = 5, "Direct provision of other public benefits"
    OTHER_SUPPORTIVE = 6, "Other (non-TFA) supportive service approved by VA"
    SHALLOW_SUBSIDY = 7, "Shallow subsidy"
    RETURNING_HOME = 8, "Returning home"
    RAPID_RESOLUTION = 9, "Rapid resolution"
    HEALTHCARE_NAVIGATION = 10, "Healthcare navigation"


class HOPWAFinancialAssistance(models.IntegerChoices):  # W2.2
    RENTAL = 1, "Rental assistance"
    SECURITY_DEPOSITS = 2, "Security deposits"
    UTILITY_DEPOSITS = 3, "Utility deposits"
    UTILITY_PAYMENTS = 4, "Utility payments"
    MORTGAGE = 7, "Mortgage assistance"


class SSVFFinancialAssistance(models.IntegerChoices):  # V3.4
    RENTAL = 1, "Rental assistance"
    SECURITY_DEPOSIT = 2, "Security deposit"
    UTILITY_DEPOSIT = 3, "Utility deposit"
    UTILITY_FEE = 4, "Utility fee payment assistance"
    MOVING_COSTS = 5, "Moving costs"
    TRANSPORTATION_TOKENS = 8, "Transportation services: tokens/vouchers"
    TRANSPORTATION_REPAIR = 9, "Transportation services: vehicle repair/maintenance"
    CHILD_CARE = 10, "Child care"
    EMERGENCY_SUPPLIES = 11, "General housing stability assistance - emergency supplies"
    GENERAL_HOUSING_STABILITY = 12, "General housing stability assistance"
    EMERGENCY_HOUSING = 14, "Emergency housing assistance"
    SHALLOW_SUBSIDY = 15, "Shallow subsidy - financial assistance"
    FOOD = 16, "Food assistance"
    LANDLORD_INCENTIVE = 17, "Landlord incentive"
    TENANT_INCENTIVE = 18, "Tenant incentive"


class PATHReferral(models.IntegerChoices):  # P2.2
    COMMUNITY_MENTAL_HEALTH = 1, "Community mental health"
    SUBSTANCE_USE = 2, "Substance use treatment"
    PRIMARY_HEALTH = 3, "Primary health/dental care"
    JOB_TRAINING = 4, "Job training"
    EDUCATIONAL = 5, "Educational services"
    HOUSING_SERVICES = 6, "Housing services"
    PERMANENT_HOUSING = 7, "Permanent housing"
    INCOME_ASSISTANCE = 8, "Income assistance"
    EMPLOYMENT_ASSISTANCE = 9, "Employment assistance"
    MEDICAL_INSURANCE = 10, "Medical insurance"
    TEMPORARY_HOUSING = 11, "Temporary housing"


class PATHReferralOutcome(models.IntegerChoices):  # P2.A
    ATTAINED = 1, "Attained"
    NOT_ATTAINED = 2, "Not attained"
    UNKNOWN = 3, "Unknown"


class BedNight(models.IntegerChoices):  # 4.14
    BED_NIGHT = 200, "Bed night"


class VoucherTracking(models.IntegerChoices):  # V8.2
    REFERRAL_FORWARDED = 1, "Referral package forwarded to PHA"
    DENIED = 2, "Voucher denied by PHA"
    ISSUED = 3, "Voucher issued by PHA"
    REVOKED = 4, "Voucher revoked or expired"
    IN_USE = 5, "Voucher in use - veteran moved into housing"
    PORTED = 6, "Voucher was ported locally"
    ABSORBED = 7, "Voucher was administratively absorbed by new PHA"
    CONVERTED = 8, "Voucher was converted to Housing Choice Voucher"
    RETURNED = 9, "Veteran exited - voucher was returned"
    FAMILY_MAINTAINED = 10, "Veteran exited - family maintained the voucher"
    EXITED_BEFORE_VOUCHER = 11, "Veteran exited - prior to ever receiving a voucher"
    OTHER = 12, "Other"


class MovingOnAssistance(models.IntegerChoices):  # C2.2
    SUBSIDIZED_HOUSING_APPLICATION = 1, "Subsidized housing application assistance"
    FINANCIAL = 2, "Financial assistance for Moving On"
    NON_FINANCIAL = 3, "Non-financial assistance for Moving On"
    HOUSING_REFERRAL = 4, "Housing referral/placement"
    OTHER = 5, "Other (please specify)"


TYPE_PROVIDED: dict[int, type[models.IntegerChoices]] = {
    RecordType.PATH_SERVICE: PATHService,
    RecordType.RHY_SERVICE: RHYService,
    RecordType.HOPWA_SERVICE: HOPWAService,
    RecordType.SSVF_SERVICE: SSVFService,
    RecordType.HOPWA_FINANCIAL_ASSISTANCE: HOPWAFinancialAssistance,
    RecordType.SSVF_FINANCIAL_ASSISTANCE: SSVFFinancialAssistance,
    RecordType.PATH_REFERRAL: PATHReferral,
    RecordType.BED_NIGHT: BedNight,
    RecordType.HUD_VASH_OTH_VOUCHER: VoucherTracking,
    RecordType.MOVING_ON_ASSISTANCE: MovingOnAssistance,
}

# SubTypeProvided lists for SSVF services (V2.A/B/C), by TypeProvided.
SSVF_SUB_TYPES: dict[int, frozenset[int]] = {
    3: frozenset(range(1, 5)),
    4: frozenset(range(1, 14)),
    5: frozenset(range(1, 12)),
}
FINANCIAL_ASSISTANCE_RECORD_TYPES = frozenset({151, 152})


_TYPE_PROVIDED_VALUES: dict[int, frozenset[int]] = {
    int(record_type): frozenset(choices.values) for record_type, choices in TYPE_PROVIDED.items()
}


def type_provided_valid(record_type: int | None, type_provided: int | None) -> bool:
    allowed = _TYPE_PROVIDED_VALUES.get(record_type)  # type: ignore[arg-type]
    return allowed is not None and type_provided in allowed


def hud_service_label(record_type: int, type_provided: int) -> str:
    """A readable name for a HUD service, e.g. "SSVF financial assistance: Rental assistance"."""
    if record_type == RecordType.BED_NIGHT:
        return "Bed night"
    type_label = TYPE_PROVIDED[record_type](type_provided).label
    return f"{RecordType(record_type).label}: {type_label}"


def record_type_fits_project(record_type: int, project_type: int | None) -> bool:
    """May a service of this RecordType be reported for an enrollment in this kind of project?

    HUD's one hard rule: bed nights (200) only in Emergency Shelter - Night-by-Night projects. Every
    other element needs a project with a HUD project type; funder-specific checks (HOPWA, SSVF,
    PATH grants) are left to the receiving system.
    """
    if project_type is None:
        return False
    if record_type == 200:  # RecordType.BED_NIGHT (plain ints: called once per exported row)
        return project_type == ProjectType.ES_NIGHT_BY_NIGHT
    return True


def _values(choices: type[models.IntegerChoices]) -> frozenset[int]:
    return frozenset(choices.values)


LISTS: dict[str, frozenset[int]] = {
    "1.1": _values(ExportPeriodType),
    "1.2": _values(ExportDirective),
    "1.3": _values(DisabilityType),
    "1.4": _values(RecordType),
    "1.5": _values(HashStatus),
    "1.6": _values(RaceNone),
    "1.7": _values(NoYesMissing),
    "1.8": _values(NoYesReasons),
    "1.9": _values(SourceType),
    "1.10": _values(NoYes),
    "2.02.6": _values(ProjectType),
    "2.02.A": _values(RRHSubType),
    "2.02.D": _values(HousingType),
    "2.02.7": _values(TargetPopulation),
    "2.02.8": _values(HOPWAMedAssistedLivingFac),
    "2.03.4": _values(GeographyType),
    "2.06.1": FUNDING_SOURCES,
    "2.07.4": _values(HouseholdType),
    "2.07.5": _values(BedType),
    "2.07.6": _values(Availability),
    "3.01.5": _values(NameDataQuality),
    "3.02.2": _values(SSNDataQuality),
    "3.03.2": _values(DOBDataQuality),
    "3.12.1": _values(LivingSituation),
    "3.12.A": _values(RentalSubsidyType),
    "3.15.1": _values(RelationshipToHoH),
    "4.21": _values(Sex),
    "5.03.1": _values(DataCollectionStage),
    "P2.A": _values(PATHReferralOutcome),
}
