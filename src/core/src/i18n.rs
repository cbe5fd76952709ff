//! UI message keys shared by every extension context.
//!
//! The strings themselves live in `extension/_locales/{en,es}/messages.json`,
//! where the browser picks the user's language. Rust code names a key through
//! [`Key`] so that a typo is a compile error, and the tests below prove every
//! key exists, with the same placeholders, in both locales.

macro_rules! keys {
    ($($variant:ident => $name:literal,)*) => {
        /// A UI string's key in `_locales/*/messages.json`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Key { $($variant,)* }
        impl Key {
            pub const ALL: &'static [Key] = &[$(Key::$variant,)*];
            pub fn name(self) -> &'static str {
                match self { $(Key::$variant => $name,)* }
            }
        }
    };
}

keys! {
    ExtName => "extName",
    ExtDescription => "extDescription",
    PopupTitle => "popupTitle",
    PopupMentionsOnPage => "popupMentionsOnPage",
    PopupNoMentions => "popupNoMentions",
    PopupPageNotScanned => "popupPageNotScanned",
    PopupOpenOptions => "popupOpenOptions",
    PopupEngineReady => "popupEngineReady",
    PopupSiteOn => "popupSiteOn",
    PopupSiteOff => "popupSiteOff",
    PopupSiteDenied => "popupSiteDenied",
    PopupRescanHint => "popupRescanHint",
    OptionsTitle => "optionsTitle",
    OptionsBrands => "optionsBrands",
    OptionsSaved => "optionsSaved",
    OptionsSettingsProblem => "optionsSettingsProblem",
    ErrorStorage => "errorStorage",
    ErrorGeneric => "errorGeneric",
    OptionsSave => "optionsSave",
    OptionsUnsaved => "optionsUnsaved",
    OptionsSaving => "optionsSaving",
    OptionsNotSaved => "optionsNotSaved",
    OptionsNotSavedMore => "optionsNotSavedMore",
    OptionsProblemsHeading => "optionsProblemsHeading",
    OptionsConfirmOverwrite => "optionsConfirmOverwrite",
    OptionsShortcutHint => "optionsShortcutHint",
    OptionsGroupsHint => "optionsGroupsHint",
    OptionsUnnamedGroup => "optionsUnnamedGroup",
    OptionsGroupName => "optionsGroupName",
    OptionsGroupKind => "optionsGroupKind",
    OptionsKindOwn => "optionsKindOwn",
    OptionsKindProduct => "optionsKindProduct",
    OptionsKindCompetitor => "optionsKindCompetitor",
    OptionsGroupColor => "optionsGroupColor",
    OptionsGroupColorHex => "optionsGroupColorHex",
    OptionsGroupEnabled => "optionsGroupEnabled",
    OptionsGroupTerms => "optionsGroupTerms",
    OptionsGroupExclusions => "optionsGroupExclusions",
    OptionsTermCount => "optionsTermCount",
    OptionsTermOptionsFor => "optionsTermOptionsFor",
    OptionsTermOptionsNone => "optionsTermOptionsNone",
    OptionsOptCase => "optionsOptCase",
    OptionsOptDiacritics => "optionsOptDiacritics",
    OptionsOptWholeWord => "optionsOptWholeWord",
    OptionsOptRegex => "optionsOptRegex",
    OptionsCustomTerms => "optionsCustomTerms",
    OptionsCustomTermsMore => "optionsCustomTermsMore",
    OptionsMoveUp => "optionsMoveUp",
    OptionsMoveDown => "optionsMoveDown",
    OptionsDeleteGroup => "optionsDeleteGroup",
    OptionsAddGroup => "optionsAddGroup",
    OptionsGroupDeleted => "optionsGroupDeleted",
    OptionsUndo => "optionsUndo",
    OptionsImportExport => "optionsImportExport",
    OptionsExport => "optionsExport",
    OptionsExported => "optionsExported",
    OptionsExportFailed => "optionsExportFailed",
    OptionsImportFile => "optionsImportFile",
    OptionsJsonShow => "optionsJsonShow",
    OptionsJsonLabel => "optionsJsonLabel",
    OptionsJsonApply => "optionsJsonApply",
    OptionsImported => "optionsImported",
    OptionsImportFailed => "optionsImportFailed",
    OptionsSites => "optionsSites",
    OptionsDenyLabel => "optionsDenyLabel",
    OptionsDisabledSites => "optionsDisabledSites",
    OptionsDisabledSitesNone => "optionsDisabledSitesNone",
    OptionsReenableSite => "optionsReenableSite",
    OptionsReenableSiteLabel => "optionsReenableSiteLabel",
    OptionsDepartments => "optionsDepartments",
    OptionsDepartmentsLabel => "optionsDepartmentsLabel",
    ErrSiteRule => "errSiteRule",
    ErrDepartmentsEmpty => "errDepartmentsEmpty",
    ErrDepartmentDuplicate => "errDepartmentDuplicate",
    BrandErrMalformedJson => "brandErrMalformedJson",
    BrandErrJsonCutOff => "brandErrJsonCutOff",
    BrandErrJsonWrongKind => "brandErrJsonWrongKind",
    BrandErrUnsupportedVersion => "brandErrUnsupportedVersion",
    BrandErrEmptyGroupName => "brandErrEmptyGroupName",
    BrandErrDuplicateGroupId => "brandErrDuplicateGroupId",
    BrandErrInvalidColor => "brandErrInvalidColor",
    BrandErrEmptyTerm => "brandErrEmptyTerm",
    BrandErrTermTooLong => "brandErrTermTooLong",
    BrandErrDuplicateTerm => "brandErrDuplicateTerm",
    BrandErrTooManyTerms => "brandErrTooManyTerms",
    BrandErrTooManyRegexes => "brandErrTooManyRegexes",
    BrandErrInvalidRegex => "brandErrInvalidRegex",
    BrandErrRegexTooBig => "brandErrRegexTooBig",
    BrandErrRegexMatchesEmpty => "brandErrRegexMatchesEmpty",
    BrandErrEmptyExclusion => "brandErrEmptyExclusion",
    BrandErrExclusionTooLong => "brandErrExclusionTooLong",
    OptionsLanguageCode => "optionsLanguageCode",
    CardClose => "cardClose",
    CardLog => "cardLog",
    CardUpdate => "cardUpdate",
    CardLoggedBy => "cardLoggedBy",
    CardLoggedByYou => "cardLoggedByYou",
    CardAuthor => "cardAuthor",
    CardTime => "cardTime",
    CardLink => "cardLink",
    CardMissing => "cardMissing",
    CardPassageOnly => "cardPassageOnly",
    CardSentiment => "cardSentiment",
    CardDepartment => "cardDepartment",
    CardNoDepartment => "cardNoDepartment",
    CardStatus => "cardStatus",
    CardPriority => "cardPriority",
    CardTags => "cardTags",
    CardNote => "cardNote",
    CardSaving => "cardSaving",
    CardSaved => "cardSaved",
    CardSaveFailed => "cardSaveFailed",
    CardSelection => "cardSelection",
    SentimentPositive => "sentimentPositive",
    SentimentNeutral => "sentimentNeutral",
    SentimentNegative => "sentimentNegative",
    SentimentQuestion => "sentimentQuestion",
    StatusNew => "statusNew",
    StatusNeedsResponse => "statusNeedsResponse",
    StatusResponded => "statusResponded",
    StatusEscalated => "statusEscalated",
    StatusClosed => "statusClosed",
    PriorityLow => "priorityLow",
    PriorityNormal => "priorityNormal",
    PriorityHigh => "priorityHigh",
    PriorityUrgent => "priorityUrgent",
    MenuLogSelection => "menuLogSelection",
    CommandOpenCard => "commandOpenCard",
    PopupCapturesOnPage => "popupCapturesOnPage",
    PopupLogStatus => "popupLogStatus",
    SyncErrEndpointEmpty => "syncErrEndpointEmpty",
    SyncErrEndpointNotUrl => "syncErrEndpointNotUrl",
    SyncErrEndpointScheme => "syncErrEndpointScheme",
    SyncErrEndpointInsecure => "syncErrEndpointInsecure",
    SyncErrEndpointCredentials => "syncErrEndpointCredentials",
    SyncErrEndpointQuery => "syncErrEndpointQuery",
    SyncProblemNoToken => "syncProblemNoToken",
    SyncProblemPermission => "syncProblemPermission",
    SyncProblemUnreachable => "syncProblemUnreachable",
    SyncProblemUnreachableTls => "syncProblemUnreachableTls",
    SyncProblemTimeout => "syncProblemTimeout",
    SyncProblemUnauthorized => "syncProblemUnauthorized",
    SyncProblemForbidden => "syncProblemForbidden",
    SyncProblemNotFound => "syncProblemNotFound",
    SyncProblemServer => "syncProblemServer",
    SyncProblemUnexpected => "syncProblemUnexpected",
    OptionsSync => "optionsSync",
    OptionsSyncHint => "optionsSyncHint",
    OptionsSyncMode => "optionsSyncMode",
    OptionsSyncOff => "optionsSyncOff",
    OptionsSyncTeamLog => "optionsSyncTeamLog",
    OptionsSyncWebhook => "optionsSyncWebhook",
    OptionsSyncEndpoint => "optionsSyncEndpoint",
    OptionsSyncMember => "optionsSyncMember",
    OptionsSyncToken => "optionsSyncToken",
    OptionsSyncTokenSet => "optionsSyncTokenSet",
    OptionsSyncTokenNone => "optionsSyncTokenNone",
    OptionsSyncSave => "optionsSyncSave",
    OptionsSyncSaved => "optionsSyncSaved",
    OptionsSyncTest => "optionsSyncTest",
    OptionsSyncTesting => "optionsSyncTesting",
    OptionsSyncTestOk => "optionsSyncTestOk",
    OptionsSyncWebhookOk => "optionsSyncWebhookOk",
    OptionsSyncPermissionDenied => "optionsSyncPermissionDenied",
    OptionsSyncNow => "optionsSyncNow",
    OptionsSyncDone => "optionsSyncDone",
    OptionsSyncQuarantined => "optionsSyncQuarantined",
    OptionsSyncQuarantineNone => "optionsSyncQuarantineNone",
    PopupLastSync => "popupLastSync",
    PopupNeverSynced => "popupNeverSynced",
    CardNotAWebLink => "cardNotAWebLink",
    LogTitle => "logTitle",
    LogSearch => "logSearch",
    LogAny => "logAny",
    LogFilterBrand => "logFilterBrand",
    LogFilterSentiment => "logFilterSentiment",
    LogFilterDepartment => "logFilterDepartment",
    LogFilterStatus => "logFilterStatus",
    LogFilterPriority => "logFilterPriority",
    LogFilterSite => "logFilterSite",
    LogFilterMember => "logFilterMember",
    LogNoDepartment => "logNoDepartment",
    LogNoBrand => "logNoBrand",
    LogDateFrom => "logDateFrom",
    LogDateTo => "logDateTo",
    LogDateField => "logDateField",
    LogDateCreated => "logDateCreated",
    LogDateComment => "logDateComment",
    LogSort => "logSort",
    LogSortCreated => "logSortCreated",
    LogSortComment => "logSortComment",
    LogSortModified => "logSortModified",
    LogSortAuthor => "logSortAuthor",
    LogDescending => "logDescending",
    LogCount => "logCount",
    LogEmpty => "logEmpty",
    LogLoading => "logLoading",
    LogLoadingProgress => "logLoadingProgress",
    LogLoadingSoFar => "logLoadingSoFar",
    LogLoadFailed => "logLoadFailed",
    LogTags => "logTags",
    LogNote => "logNote",
    LogDelete => "logDelete",
    LogDeleted => "logDeleted",
    LogUndo => "logUndo",
    LogOpen => "logOpen",
    LogNoLink => "logNoLink",
    LogUnknownAuthor => "logUnknownAuthor",
    LogExportCsv => "logExportCsv",
    LogExportJson => "logExportJson",
    LogExportJsonLd => "logExportJsonLd",
    LogExported => "logExported",
    LogImport => "logImport",
    LogImported => "logImported",
    LogImportFailed => "logImportFailed",
    LogSaveFailed => "logSaveFailed",
    PopupOpenLog => "popupOpenLog",
    OptionsCaptureDefaults => "optionsCaptureDefaults",
    OptionsCaptureDefaultsHint => "optionsCaptureDefaultsHint",
    ErrDefaultDepartmentUnknown => "errDefaultDepartmentUnknown",
    FieldRecord => "fieldRecord",
    FieldMember => "fieldMember",
    FieldPage => "fieldPage",
    FieldComment => "fieldComment",
    FieldAuthor => "fieldAuthor",
    FieldTime => "fieldTime",
    FieldPermalink => "fieldPermalink",
    FieldMention => "fieldMention",
    FieldDepartment => "fieldDepartment",
    FieldTags => "fieldTags",
    FieldNote => "fieldNote",
    InvalidNotUuid => "invalidNotUuid",
    InvalidTime => "invalidTime",
    InvalidFutureStamp => "invalidFutureStamp",
    InvalidEmpty => "invalidEmpty",
    InvalidTooLong => "invalidTooLong",
    InvalidTooMany => "invalidTooMany",
    InvalidControl => "invalidControl",
    InvalidBidi => "invalidBidi",
    InvalidNotWebUrl => "invalidNotWebUrl",
    InvalidMalformedUrl => "invalidMalformedUrl",
    InvalidReversed => "invalidReversed",
    InvalidRefused => "invalidRefused",
    LogFilterNotSynced => "logFilterNotSynced",
    LogNotSynced => "logNotSynced",
    LogRetry => "logRetry",
    LogEdit => "logEdit",
    LogDiscard => "logDiscard",
    LogLoggedBy => "logLoggedBy",
    LogInYourLog => "logInYourLog",
    OptionsSyncNotSyncedLink => "optionsSyncNotSyncedLink",
    PopupNotSynced => "popupNotSynced",
    // hl15b: a mention's tooltip.
    MentionTooltip => "mentionTooltip",
}

impl Key {
    /// The label of a sentiment, status or priority: one wording for the
    /// card, the popup, the options page and the log page.
    pub fn sentiment(s: crate::log::Sentiment) -> Key {
        use crate::log::Sentiment::*;
        match s {
            Positive => Key::SentimentPositive,
            Neutral => Key::SentimentNeutral,
            Negative => Key::SentimentNegative,
            Question => Key::SentimentQuestion,
        }
    }

    pub fn status(s: crate::log::Status) -> Key {
        use crate::log::Status::*;
        match s {
            New => Key::StatusNew,
            NeedsResponse => Key::StatusNeedsResponse,
            Responded => Key::StatusResponded,
            Escalated => Key::StatusEscalated,
            Closed => Key::StatusClosed,
        }
    }

    pub fn priority(p: crate::log::Priority) -> Key {
        use crate::log::Priority::*;
        match p {
            Low => Key::PriorityLow,
            Normal => Key::PriorityNormal,
            High => Key::PriorityHigh,
            Urgent => Key::PriorityUrgent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn load(locale: &str) -> BTreeMap<String, serde_json::Value> {
        let path = format!("{}/../../extension/_locales/{locale}/messages.json", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    fn placeholders(entry: &serde_json::Value) -> Vec<String> {
        let mut names: Vec<String> =
            entry.get("placeholders").and_then(|p| p.as_object()).map(|o| o.keys().cloned().collect()).unwrap_or_default();
        names.sort();
        names
    }

    #[test]
    fn every_key_exists_in_english_and_spanish_with_the_same_placeholders() {
        let en = load("en");
        let es = load("es");
        for key in Key::ALL {
            let (Some(e), Some(s)) = (en.get(key.name()), es.get(key.name())) else {
                panic!("key {} missing in en or es", key.name());
            };
            for entry in [e, s] {
                let msg = entry.get("message").and_then(|m| m.as_str()).unwrap_or("");
                assert!(!msg.trim().is_empty(), "empty message for {}", key.name());
            }
            assert_eq!(placeholders(e), placeholders(s), "placeholders differ for {}", key.name());
        }
    }

    #[test]
    fn both_locales_have_the_same_key_set() {
        let en: Vec<_> = load("en").into_keys().collect();
        let es: Vec<_> = load("es").into_keys().collect();
        assert_eq!(en, es, "en and es must define the same keys");
    }
}
