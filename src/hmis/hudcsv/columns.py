"""The HUD HMIS CSV files we read and write, column by column, as data.

One ordered table per file and edition (FY2026 and FY2024), transcribed from the reference
(docs/hmis-csv.md section 5). Each line of a table is ``Name Type Null List``:

- Type: ``S<n>`` string of at most n characters, ``I`` integer, ``M`` money, ``D`` date,
  ``T`` date-time;
- Null: ``Y`` may be empty, ``-`` required;
- List: the Appendix B list whose values the column takes (see ``codes.LISTS``), optional.
"""

from dataclasses import dataclass

FY2026 = "2026"
FY2024 = "2024"
EDITIONS = (FY2026, FY2024)
CSV_VERSION = "2026 v1.0"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # "S", "I", "M", "D" or "T"
    length: int | None  # strings only
    nullable: bool
    list_id: str | None


def _table(spec: str) -> tuple[Column, ...]:
    columns = []
    for line in spec.strip().splitlines():
        if not line.strip():
            continue
        name, type_, null, *rest = line.split()
        length = int(type_[1:]) if type_.startswith("S") else None
        columns.append(Column(name, type_[0], length, null == "Y", rest[0] if rest else None))
    return tuple(columns)


_META = """
DateCreated T -
DateUpdated T -
UserID S32 -
DateDeleted T Y
ExportID S32 -
"""
_USER_META = """
DateCreated T -
DateUpdated T -
DateDeleted T Y
ExportID S32 -
"""

_EXPORT = """
ExportID S32 -
SourceType I - 1.9
SourceID S{source_id} Y
SourceName S50 Y
SourceContactFirst S50 Y
SourceContactLast S50 Y
SourceContactPhone S10 Y
SourceContactExtension S5 Y
SourceContactEmail S320 Y
ExportDate T -
ExportStartDate D -
ExportEndDate D -
SoftwareName S50 -
SoftwareVersion S50 Y
CSVVersion S50 Y
ExportPeriodType I - 1.1
ExportDirective I - 1.2
HashStatus I - 1.5
ImplementationID S200 -
"""

_ORGANIZATION = (
    """
OrganizationID S32 -
OrganizationName S200 -
VictimServiceProvider I - 1.10
OrganizationCommonName S200 Y
"""
    + _META
)

_USER = (
    """
UserID S32 -
UserFirstName S50 Y
UserLastName S50 Y
UserPhone S10 Y
UserExtension S5 Y
UserEmail S320 Y
"""
    + _USER_META
)

_PROJECT = (
    """
ProjectID S32 -
OrganizationID S32 -
ProjectName S200 -
ProjectCommonName S200 Y
OperatingStartDate D -
OperatingEndDate D Y
ContinuumProject I - 1.10
ProjectType I Y 2.02.6
HousingType I Y 2.02.D
RRHSubType I Y 2.02.A
ResidentialAffiliation I Y 1.10
TargetPopulation I {target_null} 2.02.7
HOPWAMedAssistedLivingFac I Y 2.02.8
PITCount I Y
"""
    + _META
)

_FUNDER = (
    """
FunderID S32 -
ProjectID S32 -
Funder I - 2.06.1
OtherFunder S{other_funder} Y
GrantID S100 {grant_null}
StartDate D -
EndDate D Y
"""
    + _META
)

_PROJECT_COC = (
    """
ProjectCoCID S32 -
ProjectID S32 -
CoCCode S6 -
Geocode S6 {geocode_null}
Address1 S100 Y
Address2 S100 Y
City S50 Y
State S2 Y
ZIP S5 Y
GeographyType I Y 2.03.4
"""
    + _META
)

_INVENTORY = (
    """
InventoryID S32 -
ProjectID S32 -
CoCCode S6 {coc_null}
HouseholdType I - 2.07.4
Availability I Y 2.07.6
UnitInventory I -
BedInventory I -
CHVetBedInventory I Y
YouthVetBedInventory I Y
VetBedInventory I Y
CHYouthBedInventory I Y
YouthBedInventory I Y
CHBedInventory I Y
OtherBedInventory I Y
ESBedType I Y 2.07.5
InventoryStartDate D -
InventoryEndDate D Y
"""
    + _META
)

_CLIENT_HEAD = """
PersonalID S32 -
FirstName S50 Y
MiddleName S50 Y
LastName S50 Y
NameSuffix S50 Y
NameDataQuality I - 3.01.5
SSN S9 Y
SSNDataQuality I - 3.02.2
DOB D Y
DOBDataQuality I - 3.03.2
"""
_CLIENT_RACE = """
AmIndAKNative I - 1.10
Asian I - 1.10
BlackAfAmerican I - 1.10
{hispanic} I - 1.10
MidEastNAfrican I - 1.10
NativeHIPacific I - 1.10
White I - 1.10
RaceNone I Y 1.6
AdditionalRaceEthnicity S100 Y
"""
_CLIENT_GENDER_FY2024 = """
Woman I - 1.10
Man I - 1.10
NonBinary I - 1.10
CulturallySpecific I - 1.10
Transgender I - 1.10
Questioning I - 1.10
DifferentIdentity I - 1.10
GenderNone I Y 1.6
DifferentIdentityText S100 Y
"""
_CLIENT_TAIL = (
    """
VeteranStatus I - 1.8
YearEnteredService I Y
YearSeparated I Y
WorldWarII I Y 1.8
KoreanWar I Y 1.8
VietnamWar I Y 1.8
DesertStorm I Y 1.8
AfghanistanOEF I Y 1.8
IraqOIF I Y 1.8
IraqOND I Y 1.8
OtherTheater I Y 1.8
MilitaryBranch I Y V1.11
DischargeStatus I Y V1.12
"""
    + _META
)

_ENROLLMENT_HEAD = """
EnrollmentID S32 -
PersonalID S32 -
ProjectID S32 -
EntryDate D -
HouseholdID S32 -
RelationshipToHoH I - 3.15.1
EnrollmentCoC S6 Y
LivingSituation I Y 3.12.1
RentalSubsidyType I Y 3.12.A
LengthOfStay I Y 3.917.2
LOSUnderThreshold I Y 1.7
PreviousStreetESSH I Y 1.7
DateToStreetESSH D Y
TimesHomelessPastThreeYears I Y 3.917.4
MonthsHomelessPastThreeYears I Y 3.917.5
DisablingCondition I - 1.8
DateOfEngagement D Y
MoveInDate D Y
DateOfPATHStatus D Y
ClientEnrolledInPATH I Y 1.7
ReasonNotEnrolled I Y P3.A
PercentAMI I Y V4.1
ReferralSource I Y R1.1
CountOutreachReferralApproaches I Y
DateOfBCPStatus D Y
EligibleForRHY I Y 1.7
ReasonNoServices I Y R2.A
RunawayYouth I Y 1.8
"""
_ENROLLMENT_SEXUAL_ORIENTATION_FY2024 = """
SexualOrientation I Y R3.1
SexualOrientationOther S100 Y
"""
_ENROLLMENT_MIDDLE = """
FormerWardChildWelfare I Y 1.8
ChildWelfareYears I Y R11.A
ChildWelfareMonths I Y
FormerWardJuvenileJustice I Y 1.8
JuvenileJusticeYears I Y R11.A
JuvenileJusticeMonths I Y
UnemploymentFam I Y {fam}
MentalHealthDisorderFam I Y {fam}
PhysicalDisabilityFam I Y {fam}
AlcoholDrugUseDisorderFam I Y {fam}
InsufficientIncome I Y {fam}
IncarceratedParent I Y {fam}
VAMCStation S5 Y
TargetScreenReqd I Y 1.7
TimeToHousingLoss I Y V7.A
AnnualPercentAMI I Y V7.B
LiteralHomelessHistory I Y V7.C
ClientLeaseholder I Y 1.7
HOHLeaseholder I Y 1.7
SubsidyAtRisk I Y 1.7
EvictionHistory I Y V7.G
CriminalRecord I Y 1.7
IncarceratedAdult I Y V7.I
PrisonDischarge I Y 1.7
SexOffender I Y 1.7
DisabledHoH I Y 1.7
CurrentPregnant I Y 1.7
SingleParent I Y 1.7
DependentUnder6 I Y V7.O
HH5Plus I Y 1.7
CoCPrioritized I Y 1.7
HPScreeningScore I Y
ThresholdScore I Y
"""
_ENROLLMENT_LANGUAGE_FY2024 = """
TranslationNeeded I Y 1.8
PreferredLanguage I Y C4.A
PreferredLanguageDifferent S100 Y
"""
_ENROLLMENT_MHC_FY2026 = """
MentalHealthConsultation I Y V10
"""

_EXIT = (
    """
ExitID S32 -
EnrollmentID S32 -
PersonalID S32 -
ExitDate D -
Destination I - 3.12.1
DestinationSubsidyType I Y 3.12.A
OtherDestination S50 Y
HousingAssessment I Y W5.1
SubsidyInformation I Y W5.AB
ProjectCompletionStatus I Y R17.1
EarlyExitReason I Y R17.A
ExchangeForSex I Y 1.8
ExchangeForSexPastThreeMonths I Y 1.8
CountOfExchangeForSex I Y R15.B
AskedOrForcedToExchangeForSex I Y 1.8
AskedOrForcedToExchangeForSexPastThreeMonths I Y 1.8
WorkplaceViolenceThreats I Y 1.8
WorkplacePromiseDifference I Y 1.8
CoercedToContinueWork I Y 1.8
LaborExploitPastThreeMonths I Y 1.8
CounselingReceived I Y {yn}
IndividualCounseling I Y {yn}
FamilyCounseling I Y {yn}
GroupCounseling I Y {yn}
SessionCountAtExit I Y
PostExitCounselingPlan I Y {yn}
SessionsInPlan I Y
DestinationSafeClient I Y 1.8
DestinationSafeWorker I Y R19.A
PosAdultConnections I Y R19.A
PosPeerConnections I Y R19.A
PosCommunityConnections I Y R19.A
AftercareDate D Y
AftercareProvided I Y R20.2
EmailSocialMedia I Y {yn}
Telephone I Y {yn}
InPersonIndividual I Y {yn}
InPersonGroup I Y {yn}
CMExitReason I Y V9.1
"""
    + _META
)

_SERVICES = (
    """
ServicesID S32 -
EnrollmentID S32 -
PersonalID S32 -
DateProvided D -
RecordType I - 1.4
TypeProvided I -
OtherTypeProvided S50 Y
MovingOnOtherType S50 Y
SubTypeProvided I Y
FAAmount M Y
FAStartDate D Y
FAEndDate D Y
ReferralOutcome I Y P2.A
"""
    + _META
)

# File name (without .csv) -> edition -> ordered columns. Order of this dict is the import order
# (every file after the files it refers to).
FILES: dict[str, dict[str, tuple[Column, ...]]] = {
    "Export": {
        FY2026: _table(_EXPORT.format(source_id=350)),
        FY2024: _table(_EXPORT.format(source_id=32)),
    },
    "Organization": {FY2026: _table(_ORGANIZATION), FY2024: _table(_ORGANIZATION)},
    "User": {FY2026: _table(_USER), FY2024: _table(_USER)},
    "Project": {
        FY2026: _table(_PROJECT.format(target_null="Y")),
        FY2024: _table(_PROJECT.format(target_null="-")),
    },
    "Funder": {
        FY2026: _table(_FUNDER.format(other_funder=100, grant_null="Y")),
        FY2024: _table(_FUNDER.format(other_funder=50, grant_null="-")),
    },
    "ProjectCoC": {
        FY2026: _table(_PROJECT_COC.format(geocode_null="Y")),
        FY2024: _table(_PROJECT_COC.format(geocode_null="-")),
    },
    "Inventory": {
        FY2026: _table(_INVENTORY.format(coc_null="Y")),
        FY2024: _table(_INVENTORY.format(coc_null="-")),
    },
    "Client": {
        FY2026: _table(
            _CLIENT_HEAD
            + "Sex I Y 4.21\n"
            + _CLIENT_RACE.format(hispanic="HispanicLatinao")
            + _CLIENT_TAIL
        ),
        FY2024: _table(
            _CLIENT_HEAD
            + _CLIENT_RACE.format(hispanic="HispanicLatinaeo")
            + _CLIENT_GENDER_FY2024
            + _CLIENT_TAIL
        ),
    },
    "Enrollment": {
        FY2026: _table(
            _ENROLLMENT_HEAD + _ENROLLMENT_MIDDLE.format(fam="1.8") + _ENROLLMENT_MHC_FY2026 + _META
        ),
        FY2024: _table(
            _ENROLLMENT_HEAD
            + _ENROLLMENT_SEXUAL_ORIENTATION_FY2024
            + _ENROLLMENT_MIDDLE.format(fam="1.7")
            + _ENROLLMENT_LANGUAGE_FY2024
            + _META
        ),
    },
    "Exit": {FY2026: _table(_EXIT.format(yn="1.10")), FY2024: _table(_EXIT.format(yn="1.7"))},
    "Services": {FY2026: _table(_SERVICES), FY2024: _table(_SERVICES)},
}

FILE_NAMES = tuple(f"{name}.csv" for name in FILES)

# The key column of each file (its HUD ID).
KEYS = {
    "Export": "ExportID",
    "Organization": "OrganizationID",
    "User": "UserID",
    "Project": "ProjectID",
    "Funder": "FunderID",
    "ProjectCoC": "ProjectCoCID",
    "Inventory": "InventoryID",
    "Client": "PersonalID",
    "Enrollment": "EnrollmentID",
    "Exit": "ExitID",
    "Services": "ServicesID",
}

# Header spellings seen in real files that differ from the spec by more than letter case
# (reference section 8), mapped to the spec's name.
HEADER_ALIASES = {"zip": "ZIP", "hohleaseholder": "HOHLeaseholder"}

METADATA = ("DateCreated", "DateUpdated", "UserID", "DateDeleted", "ExportID")


def columns(file: str, edition: str = FY2026) -> tuple[Column, ...]:
    return FILES[file][edition]


def column_names(file: str, edition: str = FY2026) -> list[str]:
    return [c.name for c in FILES[file][edition]]


# The Client.csv and Enrollment.csv columns that are records' own fields in both directions (the
# import keeps the columns it does not model in hud_data; the export writes these from the fields).
CLIENT_IDENTITY_COLUMNS = (
    "PersonalID",
    "FirstName",
    "MiddleName",
    "LastName",
    "NameSuffix",
    "NameDataQuality",
    "SSN",
    "SSNDataQuality",
    "DOB",
    "DOBDataQuality",
)
ENROLLMENT_IDENTITY_COLUMNS = (
    "EnrollmentID",
    "PersonalID",
    "ProjectID",
    "EntryDate",
    "HouseholdID",
    "RelationshipToHoH",
)
