"""Every file's columns, in order, as the reference (docs/hmis-csv.md section 5) lists them."""

import pytest

from hmis.hudcsv import codes
from hmis.hudcsv.columns import FILES, FY2024, FY2026, column_names, columns

META = ["DateCreated", "DateUpdated", "UserID", "DateDeleted", "ExportID"]

EXPORT = (
    "ExportID SourceType SourceID SourceName SourceContactFirst SourceContactLast "
    "SourceContactPhone SourceContactExtension SourceContactEmail ExportDate ExportStartDate "
    "ExportEndDate SoftwareName SoftwareVersion CSVVersion ExportPeriodType ExportDirective "
    "HashStatus ImplementationID"
).split()
ORGANIZATION = (
    "OrganizationID OrganizationName VictimServiceProvider OrganizationCommonName".split()
)
USER = (
    "UserID UserFirstName UserLastName UserPhone UserExtension UserEmail DateCreated DateUpdated "
    "DateDeleted ExportID"
).split()
PROJECT = (
    "ProjectID OrganizationID ProjectName ProjectCommonName OperatingStartDate OperatingEndDate "
    "ContinuumProject ProjectType HousingType RRHSubType ResidentialAffiliation TargetPopulation "
    "HOPWAMedAssistedLivingFac PITCount"
).split()
FUNDER = "FunderID ProjectID Funder OtherFunder GrantID StartDate EndDate".split()
PROJECT_COC = (
    "ProjectCoCID ProjectID CoCCode Geocode Address1 Address2 City State ZIP GeographyType"
).split()
INVENTORY = (
    "InventoryID ProjectID CoCCode HouseholdType Availability UnitInventory BedInventory "
    "CHVetBedInventory YouthVetBedInventory VetBedInventory CHYouthBedInventory YouthBedInventory "
    "CHBedInventory OtherBedInventory ESBedType InventoryStartDate InventoryEndDate"
).split()
CLIENT_HEAD = (
    "PersonalID FirstName MiddleName LastName NameSuffix NameDataQuality SSN SSNDataQuality DOB "
    "DOBDataQuality"
).split()
RACE = (
    "AmIndAKNative Asian BlackAfAmerican {h} MidEastNAfrican NativeHIPacific White RaceNone "
    "AdditionalRaceEthnicity"
)
CLIENT_TAIL = (
    "VeteranStatus YearEnteredService YearSeparated WorldWarII KoreanWar VietnamWar DesertStorm "
    "AfghanistanOEF IraqOIF IraqOND OtherTheater MilitaryBranch DischargeStatus"
).split()
CLIENT_FY2026 = [*CLIENT_HEAD, "Sex", *RACE.format(h="HispanicLatinao").split(), *CLIENT_TAIL]
CLIENT_FY2024 = [
    *CLIENT_HEAD,
    *RACE.format(h="HispanicLatinaeo").split(),
    *"Woman Man NonBinary CulturallySpecific Transgender Questioning DifferentIdentity".split(),
    "GenderNone",
    "DifferentIdentityText",
    *CLIENT_TAIL,
]
ENROLLMENT_HEAD = (
    "EnrollmentID PersonalID ProjectID EntryDate HouseholdID RelationshipToHoH EnrollmentCoC "
    "LivingSituation RentalSubsidyType LengthOfStay LOSUnderThreshold PreviousStreetESSH "
    "DateToStreetESSH TimesHomelessPastThreeYears MonthsHomelessPastThreeYears DisablingCondition "
    "DateOfEngagement MoveInDate DateOfPATHStatus ClientEnrolledInPATH ReasonNotEnrolled "
    "PercentAMI ReferralSource CountOutreachReferralApproaches DateOfBCPStatus EligibleForRHY "
    "ReasonNoServices RunawayYouth"
).split()
ENROLLMENT_MIDDLE = (
    "FormerWardChildWelfare ChildWelfareYears ChildWelfareMonths FormerWardJuvenileJustice "
    "JuvenileJusticeYears JuvenileJusticeMonths UnemploymentFam MentalHealthDisorderFam "
    "PhysicalDisabilityFam AlcoholDrugUseDisorderFam InsufficientIncome IncarceratedParent "
    "VAMCStation TargetScreenReqd TimeToHousingLoss AnnualPercentAMI LiteralHomelessHistory "
    "ClientLeaseholder HOHLeaseholder SubsidyAtRisk EvictionHistory CriminalRecord "
    "IncarceratedAdult PrisonDischarge SexOffender DisabledHoH CurrentPregnant SingleParent "
    "DependentUnder6 HH5Plus CoCPrioritized HPScreeningScore ThresholdScore"
).split()
ENROLLMENT_FY2026 = [*ENROLLMENT_HEAD, *ENROLLMENT_MIDDLE, "MentalHealthConsultation"]
ENROLLMENT_FY2024 = [
    *ENROLLMENT_HEAD,
    "SexualOrientation",
    "SexualOrientationOther",
    *ENROLLMENT_MIDDLE,
    "TranslationNeeded",
    "PreferredLanguage",
    "PreferredLanguageDifferent",
]
EXIT = (
    "ExitID EnrollmentID PersonalID ExitDate Destination DestinationSubsidyType OtherDestination "
    "HousingAssessment SubsidyInformation ProjectCompletionStatus EarlyExitReason ExchangeForSex "
    "ExchangeForSexPastThreeMonths CountOfExchangeForSex AskedOrForcedToExchangeForSex "
    "AskedOrForcedToExchangeForSexPastThreeMonths WorkplaceViolenceThreats "
    "WorkplacePromiseDifference CoercedToContinueWork LaborExploitPastThreeMonths "
    "CounselingReceived IndividualCounseling FamilyCounseling GroupCounseling SessionCountAtExit "
    "PostExitCounselingPlan SessionsInPlan DestinationSafeClient DestinationSafeWorker "
    "PosAdultConnections PosPeerConnections PosCommunityConnections AftercareDate "
    "AftercareProvided EmailSocialMedia Telephone InPersonIndividual InPersonGroup CMExitReason"
).split()
SERVICES = (
    "ServicesID EnrollmentID PersonalID DateProvided RecordType TypeProvided OtherTypeProvided "
    "MovingOnOtherType SubTypeProvided FAAmount FAStartDate FAEndDate ReferralOutcome"
).split()

EXPECTED = {
    "Export": (EXPORT, EXPORT),
    "Organization": (ORGANIZATION + META, ORGANIZATION + META),
    "User": (USER, USER),
    "Project": (PROJECT + META, PROJECT + META),
    "Funder": (FUNDER + META, FUNDER + META),
    "ProjectCoC": (PROJECT_COC + META, PROJECT_COC + META),
    "Inventory": (INVENTORY + META, INVENTORY + META),
    "Client": (CLIENT_FY2026 + META, CLIENT_FY2024 + META),
    "Enrollment": (ENROLLMENT_FY2026 + META, ENROLLMENT_FY2024 + META),
    "Exit": (EXIT + META, EXIT + META),
    "Services": (SERVICES + META, SERVICES + META),
}
COUNTS = {  # FY2026 / FY2024, as the reference's headings give them
    "Export": (19, 19),
    "Organization": (9, 9),
    "User": (10, 10),
    "Project": (19, 19),
    "Funder": (12, 12),
    "ProjectCoC": (15, 15),
    "Inventory": (22, 22),
    "Client": (38, 46),
    "Enrollment": (67, 71),
    "Exit": (44, 44),
    "Services": (18, 18),
}


@pytest.mark.parametrize("file", sorted(EXPECTED))
def test_columns_and_their_order_match_the_reference_for_fy2026_and_fy2024(file):
    fy2026, fy2024 = EXPECTED[file]

    assert column_names(file, FY2026) == fy2026
    assert column_names(file, FY2024) == fy2024
    assert (len(fy2026), len(fy2024)) == COUNTS[file]


def test_the_eleven_files_are_described():
    assert list(FILES) == [
        "Export",
        "Organization",
        "User",
        "Project",
        "Funder",
        "ProjectCoC",
        "Inventory",
        "Client",
        "Enrollment",
        "Exit",
        "Services",
    ]


def test_types_lengths_and_nullability_follow_the_reference():
    client = {c.name: c for c in columns("Client")}
    assert (client["PersonalID"].type, client["PersonalID"].length) == ("S", 32)
    assert not client["PersonalID"].nullable
    assert (client["SSN"].type, client["SSN"].length, client["SSN"].nullable) == ("S", 9, True)
    assert (client["DOB"].type, client["Sex"].list_id, client["VeteranStatus"].list_id) == (
        "D",
        "4.21",
        "1.8",
    )
    export = {c.name: c for c in columns("Export", FY2026)}
    assert export["SourceID"].length == 350
    assert {c.name: c for c in columns("Export", FY2024)}["SourceID"].length == 32
    funder_2024 = {c.name: c for c in columns("Funder", FY2024)}
    assert funder_2024["OtherFunder"].length == 50 and not funder_2024["GrantID"].nullable
    services = {c.name: c for c in columns("Services")}
    assert services["FAAmount"].type == "M" and services["DateDeleted"].nullable
    assert services["RecordType"].list_id == "1.4"
    project_2024 = {c.name: c for c in columns("Project", FY2024)}
    assert not project_2024["TargetPopulation"].nullable
    assert {c.name: c for c in columns("Project")}["TargetPopulation"].nullable


def test_every_named_list_with_known_values_is_in_the_code_lists():
    known_lists = {c.list_id for e in FILES.values() for cols in e.values() for c in cols}
    assert {"1.4", "1.8", "1.10", "2.02.6", "3.12.1", "3.15.1", "4.21"} <= set(codes.LISTS)
    assert known_lists & set(codes.LISTS) == set(codes.LISTS) - {"1.3", "5.03.1"}


def test_service_type_lists_follow_record_types():
    assert codes.type_provided_valid(200, 200)
    assert not codes.type_provided_valid(200, 1)
    assert codes.type_provided_valid(152, 18) and not codes.type_provided_valid(152, 6)
    assert codes.type_provided_valid(144, 10)  # healthcare navigation, new in FY2026
    assert not codes.type_provided_valid(999, 1)
    assert codes.record_type_fits_project(200, 1)
    assert not codes.record_type_fits_project(200, 0)
    assert not codes.record_type_fits_project(200, 11)
    assert codes.record_type_fits_project(152, 13)
    assert codes.hud_service_label(152, 1) == "SSVF financial assistance: Rental assistance"
