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
            /// The variant's Rust name (the usage test looks for `Key::<it>`).
            #[cfg(test)]
            fn variant(self) -> &'static str {
                match self { $(Key::$variant => stringify!($variant),)* }
            }
        }
    };
}

keys! {
    ExtName => "extName",
    ExtDescription => "extDescription",
    PopupTitle => "popupTitle",
    PopupMentionsOnPageOne => "popupMentionsOnPageOne",
    PopupMentionsOnPageOther => "popupMentionsOnPageOther",
    PopupNoMentions => "popupNoMentions",
    PopupPageNotScanned => "popupPageNotScanned",
    PopupOpenOptions => "popupOpenOptions",
    PopupSiteOn => "popupSiteOn",
    PopupSiteOff => "popupSiteOff",
    PopupRescanHint => "popupRescanHint",
    OptionsTitle => "optionsTitle",
    OptionsBrands => "optionsBrands",
    OptionsSaved => "optionsSaved",
    OptionsSettingsProblem => "optionsSettingsProblem",
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
    PopupLogStatusOne => "popupLogStatusOne",
    PopupLogStatusOther => "popupLogStatusOther",
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
    SyncProblemRefused => "syncProblemRefused",
    SyncProblemNotTeamLog => "syncProblemNotTeamLog",
    SettingsProblemNewer => "settingsProblemNewer",
    SettingsProblemUnreadable => "settingsProblemUnreadable",
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
    LogEmpty => "logEmpty",
    LogLoading => "logLoading",
    LogLoadingProgressOne => "logLoadingProgressOne",
    LogLoadingProgressOther => "logLoadingProgressOther",
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
    LogImport => "logImport",
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
    PopupNotSynced => "popupNotSynced",
    // proto14: protocol errors (protocol::ProtocolError::words)
    ProtoBadMessage => "protoBadMessage",
    ProtoUnknownSender => "protoUnknownSender",
    ProtoForbidden => "protoForbidden",
    ProtoStaleTicket => "protoStaleTicket",
    ProtoCaptureGone => "protoCaptureGone",
    ProtoNoLink => "protoNoLink",
    ProtoNoSite => "protoNoSite",
    ProtoNoMention => "protoNoMention",
    ProtoNoSelection => "protoNoSelection",
    ProtoMentionGone => "protoMentionGone",
    ProtoOtherPage => "protoOtherPage",
    ProtoInvalid => "protoInvalid",
    ProtoNoAnswer => "protoNoAnswer",
    ProtoBadReply => "protoBadReply",
    // seams14: errors as data, plurals, default departments
    RegexUnclosedGroup => "regexUnclosedGroup",
    RegexUnopenedGroup => "regexUnopenedGroup",
    RegexUnclosedClass => "regexUnclosedClass",
    RegexBadRepetition => "regexBadRepetition",
    RegexBadEscape => "regexBadEscape",
    RegexUnsupported => "regexUnsupported",
    RegexTooNested => "regexTooNested",
    RegexOther => "regexOther",
    ImportNotJson => "importNotJson",
    ImportOtherFormat => "importOtherFormat",
    ImportNoFormat => "importNoFormat",
    ImportTooNew => "importTooNew",
    ImportNoVersion => "importNoVersion",
    ImportNoCaptures => "importNoCaptures",
    ImportNotALog => "importNotALog",
    ImportTooMany => "importTooMany",
    ImportRecord => "importRecord",
    ImportRecordNoId => "importRecordNoId",
    ImportRecordNotObject => "importRecordNotObject",
    ImportRecordBadShape => "importRecordBadShape",
    LogImportedCounts => "logImportedCounts",
    CountNewOne => "countNewOne",
    CountNewOther => "countNewOther",
    CountMergedOne => "countMergedOne",
    CountMergedOther => "countMergedOther",
    CountRefusedOne => "countRefusedOne",
    CountRefusedOther => "countRefusedOther",
    LogExportedOne => "logExportedOne",
    LogExportedOther => "logExportedOther",
    LogCountOne => "logCountOne",
    LogCountOther => "logCountOther",
    OptionsImportedOne => "optionsImportedOne",
    OptionsImportedOther => "optionsImportedOther",
    OptionsSyncDoneCounts => "optionsSyncDoneCounts",
    CountSentOne => "countSentOne",
    CountSentOther => "countSentOther",
    CountReceivedOne => "countReceivedOne",
    CountReceivedOther => "countReceivedOther",
    OptionsSyncNotSyncedLinkOne => "optionsSyncNotSyncedLinkOne",
    OptionsSyncNotSyncedLinkOther => "optionsSyncNotSyncedLinkOther",
    StoreFull => "storeFull",
    StoreUnavailable => "storeUnavailable",
    StoreAborted => "storeAborted",
    StoreNotSavedCapture => "storeNotSavedCapture",
    StoreNotSavedEdit => "storeNotSavedEdit",
    StoreNotSavedImport => "storeNotSavedImport",
    StoreNotSavedRead => "storeNotSavedRead",
    StoreNotSavedSync => "storeNotSavedSync",
    DepartmentProduct => "departmentProduct",
    DepartmentMarketing => "departmentMarketing",
    DepartmentPr => "departmentPr",
    DepartmentEngineering => "departmentEngineering",
    DepartmentLogistics => "departmentLogistics",
    DepartmentCustomerService => "departmentCustomerService",
    ServerErrUnauthorized => "serverErrUnauthorized",
    ServerErrForbidden => "serverErrForbidden",
    ServerErrNotFound => "serverErrNotFound",
    ServerErrBadRequest => "serverErrBadRequest",
    ServerErrUnsupportedMediaType => "serverErrUnsupportedMediaType",
    ServerErrMethodNotAllowed => "serverErrMethodNotAllowed",
    ServerErrPayloadTooLarge => "serverErrPayloadTooLarge",
    ServerErrTooManyItems => "serverErrTooManyItems",
    ServerErrRateLimited => "serverErrRateLimited",
    ServerErrUnsupportedVersion => "serverErrUnsupportedVersion",
    ServerErrInternal => "serverErrInternal",
    ServerErrStorageUnavailable => "serverErrStorageUnavailable",
    InvalidRefusedCode => "invalidRefusedCode",
    // ui14: welcome page, first run, empty states.
    WelcomeTitle => "welcomeTitle",
    WelcomeIntro => "welcomeIntro",
    WelcomeBrandsTitle => "welcomeBrandsTitle",
    WelcomeBrandsHint => "welcomeBrandsHint",
    WelcomeImport => "welcomeImport",
    WelcomeCreate => "welcomeCreate",
    WelcomeDemo => "welcomeDemo",
    WelcomeDemoDone => "welcomeDemoDone",
    WelcomeCaptureTitle => "welcomeCaptureTitle",
    WelcomeStepHighlight => "welcomeStepHighlight",
    WelcomeStepCard => "welcomeStepCard",
    WelcomeStepLog => "welcomeStepLog",
    WelcomeStepReview => "welcomeStepReview",
    PopupNoBrands => "popupNoBrands",
    PopupOpenWelcome => "popupOpenWelcome",
    LogNothingYet => "logNothingYet",
    WelcomeImported => "welcomeImported",
    WelcomeImportFailed => "welcomeImportFailed",
    // hl15b: a mention's tooltip.
    MentionTooltip => "mentionTooltip",
    // srv11: the server's request deadline.
    ServerErrRequestTimeout => "serverErrRequestTimeout",
    // paint11: Log refused while the card is hidden or covered (card::log_allowed).
    CardNotVisible => "cardNotVisible",
    CardNotDeliberate => "cardNotDeliberate",
    // seam14b: an extension page whose engine failed to start (page_loader.js).
    PageStartFailed => "pageStartFailed",
    // ext16 (issue 16): import progress.
    LogImportProgress => "logImportProgress",
    // srv11b: the team log's per-team quotas (409 quota_exceeded).
    ServerErrQuotaExceeded => "serverErrQuotaExceeded",
    SyncProblemQuotaCaptures => "syncProblemQuotaCaptures",
    SyncProblemQuotaBytes => "syncProblemQuotaBytes",
    // wsui12 (issue 12): assignment, claims, comments, @mentions, history.
    WsViewMine => "wsViewMine",
    WsViewUnassigned => "wsViewUnassigned",
    WsViewMyDepartment => "wsViewMyDepartment",
    WsViewAll => "wsViewAll",
    WsViewChip => "wsViewChip",
    WsViewNoDepartment => "wsViewNoDepartment",
    WsViewNoName => "wsViewNoName",
    WsViews => "wsViews",
    WsHistoryLine => "wsHistoryLine",
    WsHistoryNone => "wsHistoryNone",
    WsUnassigned => "wsUnassigned",
    WsAssignee => "wsAssignee",
    WsClaimBy => "wsClaimBy",
    WsClaimYou => "wsClaimYou",
    WsClaim => "wsClaim",
    WsRelease => "wsRelease",
    WsAddComment => "wsAddComment",
    WsPostComment => "wsPostComment",
    WsComments => "wsComments",
    WsNoComments => "wsNoComments",
    WsEditComment => "wsEditComment",
    WsDeleteComment => "wsDeleteComment",
    WsSaveComment => "wsSaveComment",
    WsCommentText => "wsCommentText",
    WsHistory => "wsHistory",
    WsNoHistory => "wsNoHistory",
    WsMentionsHeading => "wsMentionsHeading",
    WsMentionBy => "wsMentionBy",
    WsDetails => "wsDetails",
    WsMyDepartment => "wsMyDepartment",
    WsMyDepartmentHint => "wsMyDepartmentHint",
    WsNoMyDepartment => "wsNoMyDepartment",
    // wsmodel12 (issue 12): assignment filter.
    LogFilterAssignee => "logFilterAssignee",
    LogUnassigned => "logUnassigned",
    // roles12: roles, members and tokens (issue 12).
    ServerErrRoleForbidden => "serverErrRoleForbidden",
    ServerErrLastAdmin => "serverErrLastAdmin",
    ServerErrConflict => "serverErrConflict",
    SyncProblemRoleForbidden => "syncProblemRoleForbidden",
    RoleAdmin => "roleAdmin",
    RoleMember => "roleMember",
    RoleViewer => "roleViewer",
    ActionRead => "actionRead",
    ActionCapture => "actionCapture",
    ActionEdit => "actionEdit",
    ActionComment => "actionComment",
    ActionConfigure => "actionConfigure",
    ActionManageMembers => "actionManageMembers",
    ActionRotateOwnToken => "actionRotateOwnToken",
    // config12 (issue 12): team configuration, personal additions, policy.
    ErrDepartmentBlank => "errDepartmentBlank",
    OptionsTeamConfigActive => "optionsTeamConfigActive",
    OptionsPersonalHeading => "optionsPersonalHeading",
    OptionsPersonalHint => "optionsPersonalHint",
    OptionsPersonalGroupGone => "optionsPersonalGroupGone",
    OptionsPersonalInTeam => "optionsPersonalInTeam",
    OptionsPersonalRefused => "optionsPersonalRefused",
    OptionsPersonalLine => "optionsPersonalLine",
    OptionsPersonalSites => "optionsPersonalSites",
    OptionsLockedByPolicy => "optionsLockedByPolicy",
    OptionsPolicyTeam => "optionsPolicyTeam",
    // wsmodel12: why an edit of a comment was refused (log::EditRefusal).
    EditEmptyComment => "editEmptyComment",
    EditNotAuthor => "editNotAuthor",
    EditUnknownComment => "editUnknownComment",
    // rules13 (issue 13): routing rule problems (routing::RuleError).
    RuleErr => "ruleErr",
    RuleErrTooMany => "ruleErrTooMany",
    RuleErrNameBlank => "ruleErrNameBlank",
    RuleErrNameTooLong => "ruleErrNameTooLong",
    RuleErrNameDuplicate => "ruleErrNameDuplicate",
    RuleErrNoAction => "ruleErrNoAction",
    RuleErrConditionEmpty => "ruleErrConditionEmpty",
    RuleErrConditionTooDeep => "ruleErrConditionTooDeep",
    RuleErrBrandUnknown => "ruleErrBrandUnknown",
    RuleErrTermBlank => "ruleErrTermBlank",
    RuleErrSiteInvalid => "ruleErrSiteInvalid",
    RuleErrLanguageInvalid => "ruleErrLanguageInvalid",
    RuleErrAuthorBlank => "ruleErrAuthorBlank",
    RuleErrWordInvalid => "ruleErrWordInvalid",
    RuleErrTooManyWords => "ruleErrTooManyWords",
    RuleErrDepartmentUnknown => "ruleErrDepartmentUnknown",
    RuleErrAssigneeBlank => "ruleErrAssigneeBlank",
    RuleErrTagInvalid => "ruleErrTagInvalid",
    RuleErrDestinationBlank => "ruleErrDestinationBlank",
    CardRouteTitle => "cardRouteTitle",
    // sla13 (issue 13): service targets (config problems) and due dates.
    ErrServiceTimeZone => "errServiceTimeZone",
    ErrServiceDay => "errServiceDay",
    ErrServiceHours => "errServiceHours",
    ErrServiceOverlap => "errServiceOverlap",
    ErrServiceMinutes => "errServiceMinutes",
    ErrServiceDuplicate => "errServiceDuplicate",
    ErrServiceDepartment => "errServiceDepartment",
    ErrServiceTargetLine => "errServiceTargetLine",
    DueFirstResponseIn => "dueFirstResponseIn",
    DueCloseIn => "dueCloseIn",
    DueFirstResponseOverdue => "dueFirstResponseOverdue",
    DueCloseOverdue => "dueCloseOverdue",
    // verify13 (issue 13): team accounts and the verified response.
    ErrTeamAccountSite => "errTeamAccountSite",
    ErrTeamAccount => "errTeamAccount",
    CardRespondedBy => "cardRespondedBy",
    CardRespondedByUndated => "cardRespondedByUndated",
    CardConfirmResponse => "cardConfirmResponse",
    CardOpenReply => "cardOpenReply",
    CardResponseVerified => "cardResponseVerified",
    OptionsTeamAccounts => "optionsTeamAccounts",
    OptionsTeamAccountsHint => "optionsTeamAccountsHint",
    OptionsTeamAccountsNone => "optionsTeamAccountsNone",
    // digest13 (issue 13): feedback settings' problems, digest and spike alert texts.
    ErrFeedbackTimeZone => "errFeedbackTimeZone",
    ErrFeedbackDigestHour => "errFeedbackDigestHour",
    ErrFeedbackDepartmentUnknown => "errFeedbackDepartmentUnknown",
    ErrFeedbackDepartmentDuplicate => "errFeedbackDepartmentDuplicate",
    ErrFeedbackLanguage => "errFeedbackLanguage",
    ErrFeedbackSpikeWindow => "errFeedbackSpikeWindow",
    ErrFeedbackSpikeFactor => "errFeedbackSpikeFactor",
    ErrFeedbackSpikeMinimum => "errFeedbackSpikeMinimum",
    ErrFeedbackSpikeCoolDown => "errFeedbackSpikeCoolDown",
    FeedbackDigestTitle => "feedbackDigestTitle",
    FeedbackDigestPeriod => "feedbackDigestPeriod",
    FeedbackDigestTotal => "feedbackDigestTotal",
    FeedbackDigestBySentiment => "feedbackDigestBySentiment",
    FeedbackDigestByBrand => "feedbackDigestByBrand",
    FeedbackDigestCountLine => "feedbackDigestCountLine",
    FeedbackDigestOpen => "feedbackDigestOpen",
    FeedbackDigestOverdue => "feedbackDigestOverdue",
    FeedbackDigestMostNegative => "feedbackDigestMostNegative",
    FeedbackDigestNone => "feedbackDigestNone",
    FeedbackDigestMore => "feedbackDigestMore",
    FeedbackItemLine => "feedbackItemLine",
    FeedbackItemDue => "feedbackItemDue",
    FeedbackUnknownAuthor => "feedbackUnknownAuthor",
    FeedbackNoBrand => "feedbackNoBrand",
    FeedbackSpikeTitle => "feedbackSpikeTitle",
    FeedbackSpikeBody => "feedbackSpikeBody",
    FeedbackSpikeQuiet => "feedbackSpikeQuiet",
    ErrFeedbackMalformed => "errFeedbackMalformed",
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

    /// What a team-log error code means, in the manager's words (the
    /// server's own message is English and shown only as a quoted detail).
    pub fn server_error(code: crate::sync::api::ErrorCode) -> Key {
        use crate::sync::api::ErrorCode::*;
        match code {
            Unauthorized => Key::ServerErrUnauthorized,
            Forbidden => Key::ServerErrForbidden,
            NotFound => Key::ServerErrNotFound,
            BadRequest => Key::ServerErrBadRequest,
            UnsupportedMediaType => Key::ServerErrUnsupportedMediaType,
            MethodNotAllowed => Key::ServerErrMethodNotAllowed,
            PayloadTooLarge => Key::ServerErrPayloadTooLarge,
            TooManyItems => Key::ServerErrTooManyItems,
            RateLimited => Key::ServerErrRateLimited,
            UnsupportedVersion => Key::ServerErrUnsupportedVersion,
            Internal => Key::ServerErrInternal,
            StorageUnavailable => Key::ServerErrStorageUnavailable,
            RequestTimeout => Key::ServerErrRequestTimeout,
            // Too long a path or too many headers: "the request is too large".
            UriTooLong | HeadersTooLarge => Key::ServerErrPayloadTooLarge,
            QuotaExceeded => Key::ServerErrQuotaExceeded,
            RoleForbidden => Key::ServerErrRoleForbidden,
            LastAdmin => Key::ServerErrLastAdmin,
            Conflict => Key::ServerErrConflict,
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

/// A sentence to show, as data: its key and placeholders. Errors and page
/// models return this; the glue picks the words in the user's language when
/// it displays them (`platform::words` in the extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Words {
    pub key: Key,
    pub args: Vec<Arg>,
}

/// One placeholder: user or technical text shown as is, or words of its own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Words(Words),
}

impl Words {
    pub fn new(key: Key) -> Words {
        Words { key, args: vec![] }
    }

    /// Add a placeholder shown as is (names, numbers, quoted technical detail).
    pub fn text(mut self, s: impl Into<String>) -> Words {
        self.args.push(Arg::Text(s.into()));
        self
    }

    /// Add a placeholder that is itself a phrase from the tables.
    pub fn word(mut self, w: Words) -> Words {
        self.args.push(Arg::Words(w));
        self
    }
}

impl Words {
    /// `key: arg / arg` with nested words outlined the same way: for the
    /// console and developer logs, never for people.
    pub fn english_outline(&self) -> String {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| match a {
                Arg::Text(s) => s.clone(),
                Arg::Words(w) => w.english_outline(),
            })
            .collect();
        if args.is_empty() {
            self.key.name().to_string()
        } else {
            format!("{}: {}", self.key.name(), args.join(" / "))
        }
    }
}

impl From<Key> for Words {
    fn from(key: Key) -> Words {
        Words::new(key)
    }
}

/// A language's plural category for a whole number, as CLDR names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plural {
    One,
    Other,
}

/// The plural category of `n` in `lang` ("en", "es-MX", …). English and
/// Spanish both say "one" for exactly 1 and "other" otherwise (Spanish's CLDR
/// "many" only concerns millions written as "1 millón de"; counts here are
/// digits). Other languages fall back to the English rule.
pub fn plural(lang: &str, n: u64) -> Plural {
    let primary = lang.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    match primary.as_str() {
        "en" | "es" | "" => {
            if n == 1 {
                Plural::One
            } else {
                Plural::Other
            }
        }
        _ => {
            if n == 1 {
                Plural::One
            } else {
                Plural::Other
            }
        }
    }
}

/// The key for `n` things: `one` or `other` by `lang`'s plural rule.
pub fn count_key(lang: &str, n: u64, one: Key, other: Key) -> Key {
    match plural(lang, n) {
        Plural::One => one,
        Plural::Other => other,
    }
}

// roles12: a role and an action, as a refusal names them.
impl Key {
    pub fn role(r: crate::workspace::role::Role) -> Key {
        use crate::workspace::role::Role::*;
        match r {
            Admin => Key::RoleAdmin,
            Member => Key::RoleMember,
            Viewer => Key::RoleViewer,
        }
    }

    pub fn action(a: crate::workspace::role::Action) -> Key {
        use crate::workspace::role::Action::*;
        match a {
            Read => Key::ActionRead,
            Capture => Key::ActionCapture,
            Edit => Key::ActionEdit,
            Comment => Key::ActionComment,
            Configure => Key::ActionConfigure,
            ManageMembers => Key::ActionManageMembers,
            RotateOwnToken => Key::ActionRotateOwnToken,
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

    /// Every key in the tables is used somewhere (Rust names it as
    /// `Key::<Variant>`; the manifest and HTML as its message name), and every
    /// message in the locale files is a key: no dead words, no orphans.
    #[test]
    fn every_key_is_used_and_every_message_is_a_key() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut texts = String::new();
        let mut stack = vec![root.join("src"), root.join("extension")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().to_string();
                if path.is_dir() {
                    if name != "_locales" && name != "target" {
                        stack.push(path);
                    }
                } else if path.ends_with("src/core/src/i18n.rs") {
                    // The table itself does not count; the mappings below it do.
                    let text = std::fs::read_to_string(&path).unwrap();
                    let after_table = text.split("\nkeys! {").nth(1).and_then(|t| t.split_once("\n}\n")).map_or("", |(_, rest)| rest);
                    texts.push_str(after_table.split("#[cfg(test)]").next().unwrap_or(""));
                } else if [".rs", ".html", ".js", ".json"].iter().any(|e| name.ends_with(e)) {
                    let text = std::fs::read_to_string(&path).unwrap();
                    texts.push_str(text.split("#[cfg(test)]").next().unwrap_or(""));
                }
            }
        }
        let unused: Vec<&str> = Key::ALL
            .iter()
            .filter(|k| {
                !texts.contains(&format!("Key::{}", k.variant()))
                    && !texts.contains(&format!("__MSG_{}__", k.name()))
                    && !texts.contains(&format!("\"{}\"", k.name()))
            })
            .map(|k| k.name())
            .collect();
        assert!(unused.is_empty(), "keys no code uses (remove them or use them): {unused:?}");
        for locale in ["en", "es"] {
            let orphans: Vec<String> = load(locale).into_keys().filter(|n| !Key::ALL.iter().any(|k| k.name() == n)).collect();
            assert!(orphans.is_empty(), "{locale} messages that are no Key: {orphans:?}");
        }
    }

    /// The usage test can fail: a key named nowhere but its table is found.
    #[test]
    fn the_usage_test_sees_a_variant_name() {
        assert_eq!(Key::PopupTitle.variant(), "PopupTitle");
    }

    /// A user-visible string built outside the tables fails here: the glue
    /// (src/web, src/dashboard) is scanned for literals with words handed to
    /// the text-setting helpers (`el(…, "text")`, `set_text_content`,
    /// `set_text`, user-facing attributes), test code excluded. Non-words
    /// (symbols, numbers) pass; the allow-list holds names that are the same
    /// in every language.
    #[test]
    fn no_user_visible_string_is_built_outside_the_tables() {
        const ALLOWED: &[&str] = &["Escucha", "English", "Español"];
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let patterns = [
            // el(tag, attrs, "text") and el(tag, attrs, &format!("text…"))
            r#"\bel\(\s*"[^"]*"\s*,\s*&\[[^\]]*\]\s*,\s*&?(?:format!\()?"([^"]*)""#,
            r#"set_text_content\(Some\(&?(?:format!\()?"([^"]*)""#,
            r#"set_text\(\s*"[^"]*"\s*,\s*&?(?:format!\()?"([^"]*)""#,
            r#"\(\s*"(?:aria-label|title|placeholder|alt)"\s*,\s*&?(?:format!\()?"([^"]*)""#,
            r#"set_attribute\(\s*"(?:aria-label|title|placeholder|alt)"\s*,\s*&?(?:format!\()?"([^"]*)""#,
        ];
        let res: Vec<regex_lite::Regex> = patterns.iter().map(|p| regex_lite::Regex::new(p).unwrap()).collect();
        let has_word = |s: &str| {
            let mut run = 0;
            for c in s.chars() {
                run = if c.is_alphabetic() { run + 1 } else { 0 };
                if run >= 2 {
                    return true;
                }
            }
            false
        };
        let mut files = vec![];
        let mut stack = vec![root.join("web/src"), root.join("dashboard/src")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
        assert!(files.len() > 20, "found the glue's sources");
        let mut found = vec![];
        for path in files {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if name == "tests.rs" || name == "bench.rs" {
                continue; // test and benchmark code, never shown to a manager
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap_or("");
            for re in &res {
                for caps in re.captures_iter(code) {
                    let lit = &caps[1];
                    let words: String = lit.split(['{', '}']).step_by(2).collect::<Vec<_>>().join(" ");
                    if has_word(&words) && !ALLOWED.contains(&lit.trim()) {
                        found.push(format!("{}: {lit:?}", path.strip_prefix(&root).unwrap_or(&path).display()));
                    }
                }
            }
        }
        assert!(found.is_empty(), "user-visible text built outside the localisation tables:\n{}", found.join("\n"));
    }

    /// The scan above can fail: it finds a literal in a sample of glue code.
    #[test]
    fn the_scan_finds_a_literal() {
        let re = regex_lite::Regex::new(r#"\bel\(\s*"[^"]*"\s*,\s*&\[[^\]]*\]\s*,\s*&?(?:format!\()?"([^"]*)""#).unwrap();
        let caps = re.captures(r#"dom::el("p", &[("class", "x")], "Nothing here")"#).unwrap();
        assert_eq!(&caps[1], "Nothing here");
    }

    /// seam14b: the extension's JavaScript glue too: a literal with words
    /// assigned to what a page shows (`textContent`, `title`, `placeholder`,
    /// `ariaLabel`, or set as such an attribute) fails here; the glue words
    /// things with `i18n.getMessage` or shows text Rust chose.
    #[test]
    fn no_user_visible_string_is_built_in_the_javascript_glue() {
        let patterns = [
            r#"\.(?:textContent|innerText|title|placeholder|ariaLabel|alt)\s*=\s*(?:[^;'"`]*\+\s*)?['"`]([^'"`]*)['"`]"#,
            r#"setAttribute\(\s*['"](?:aria-label|title|placeholder|alt)['"]\s*,\s*['"`]([^'"`]*)['"`]"#,
        ];
        let res: Vec<regex_lite::Regex> = patterns.iter().map(|p| regex_lite::Regex::new(p).unwrap()).collect();
        let scan = |code: &str| -> Vec<String> {
            let mut found = vec![];
            for re in &res {
                for caps in re.captures_iter(code) {
                    let lit = caps[1].trim();
                    if lit.chars().filter(|c| c.is_alphabetic()).count() >= 2 && lit != "Escucha" {
                        found.push(lit.to_string());
                    }
                }
            }
            found
        };
        assert_eq!(scan("document.body.textContent = 'Escucha could not start: ' + e;"), ["Escucha could not start:"]);
        assert_eq!(scan("el.setAttribute('aria-label', 'Close');"), ["Close"]);
        assert!(scan("frame.title = 'Escucha'; t.textContent = p.tooltip;").is_empty());
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../extension");
        let mut stack = vec![root.clone()];
        let mut found = vec![];
        let mut files = 0;
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "js") {
                    files += 1;
                    for lit in scan(&std::fs::read_to_string(&path).unwrap()) {
                        found.push(format!("{}: {lit:?}", path.strip_prefix(&root).unwrap_or(&path).display()));
                    }
                }
            }
        }
        assert!(files > 5, "found the extension's scripts");
        assert!(found.is_empty(), "user-visible text built in the JavaScript glue:\n{}", found.join("\n"));
    }

    #[test]
    fn plurals_follow_the_language() {
        for lang in ["en", "es", "es-MX", "en-GB"] {
            assert_eq!(plural(lang, 1), Plural::One, "{lang}");
            for n in [0, 2, 5, 21, 1000] {
                assert_eq!(plural(lang, n), Plural::Other, "{lang} {n}");
            }
        }
        assert_eq!(count_key("es", 1, Key::CountRefusedOne, Key::CountRefusedOther), Key::CountRefusedOne);
        assert_eq!(count_key("es", 0, Key::CountRefusedOne, Key::CountRefusedOther), Key::CountRefusedOther);
    }

    /// Every one/other pair exists in both languages, and Spanish agrees in number.
    #[test]
    fn plural_pairs_are_complete() {
        let es = load("es");
        let msg = |k: &str| es[k]["message"].as_str().unwrap().to_string();
        for key in Key::ALL {
            let Some(stem) = key.name().strip_suffix("One") else { continue };
            let other = format!("{stem}Other");
            assert!(Key::ALL.iter().any(|k| k.name() == other), "{} has no {other}", key.name());
            assert_ne!(msg(key.name()), msg(&other), "{} and {other} are the same in Spanish", key.name());
        }
    }
}
