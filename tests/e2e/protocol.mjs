// Generated from the protocol's Rust types (src/core/src/protocol/generated.rs): do not edit.
// `ESCUCHA_REGENERATE=1 cargo test -p escucha-core protocol::generated` rewrites it; a test fails when it drifts.
const strict = (name, o) => new Proxy(Object.freeze(o), {
  get(t, k) {
    if (typeof k === 'string' && !(k in t) && k !== 'then' && k !== 'toJSON') throw new Error(`escuchaProtocol.${name} has no '${k}'`);
    return t[k];
  },
});
export const ContentRequest = strict('ContentRequest', { ping: 'ping', contentHello: 'contentHello', mentionsFound: 'mentionsFound', getPageCaptures: 'getPageCaptures', openMatcher: 'openMatcher', openCardFrame: 'openCardFrame' });
export const CardRequest = strict('CardRequest', { ping: 'ping', cardHello: 'cardHello', cardLog: 'cardLog', cardEdit: 'cardEdit', getPageCaptures: 'getPageCaptures' });
export const MatcherRequest = strict('MatcherRequest', { ping: 'ping', matcherHello: 'matcherHello' });
export const PageRequest = strict('PageRequest', { ping: 'ping', getSettings: 'getSettings', saveSettings: 'saveSettings', toggleSite: 'toggleSite', logCapture: 'logCapture', editCapture: 'editCapture', getPageCaptures: 'getPageCaptures', importCaptures: 'importCaptures', getLogStatus: 'getLogStatus', logChanged: 'logChanged', openCapture: 'openCapture', syncNow: 'syncNow', testConnection: 'testConnection', saveSyncToken: 'saveSyncToken', getSyncState: 'getSyncState', retryCapture: 'retryCapture', discardCapture: 'discardCapture', getTeamConfig: 'getTeamConfig', savePersonalTerms: 'savePersonalTerms', getWorkspace: 'getWorkspace', mentionOpened: 'mentionOpened', getMembers: 'getMembers' });
export const TabRequest = strict('TabRequest', { ping: 'ping', settingsChanged: 'settingsChanged', getPageMentions: 'getPageMentions', revealMention: 'revealMention', openCard: 'openCard', logSelection: 'logSelection', logChanged: 'logChanged', getPainted: 'getPainted' });
export const PageEvent = strict('PageEvent', { logChanged: 'logChanged' });
export const BenchRequest = strict('BenchRequest', { benchScan: 'benchScan', benchFloor: 'benchFloor' });
export const Answer = strict('Answer', { ok: 'ok', error: 'error' });
export const ErrorCode = strict('ErrorCode', { badMessage: 'bad_message', unknownSender: 'unknown_sender', forbidden: 'forbidden', staleTicket: 'stale_ticket', captureGone: 'capture_gone', noLink: 'no_link', noSite: 'no_site', noMention: 'no_mention', noSelection: 'no_selection', mentionGone: 'mention_gone', otherPage: 'other_page', invalid: 'invalid', settingsUnusable: 'settings_unusable', storage: 'storage', internal: 'internal', noAnswer: 'no_answer', badReply: 'bad_reply' });
export const FrameRequest = strict('FrameRequest', { scan: 'scan', changes: 'changes', pointer: 'pointer', hit: 'hit', incoming: 'incoming', cardClosed: 'cardClosed', painted: 'painted', cardOpening: 'cardOpening', cardTicket: 'cardTicket', roots: 'roots', nearSelection: 'nearSelection' });
export const FrameReply = strict('FrameReply', { hello: 'hello', scan: 'scan', changes: 'changes', pointer: 'pointer', hit: 'hit', incoming: 'incoming', cardClosed: 'cardClosed', painted: 'painted', cardOpening: 'cardOpening', cardTicket: 'cardTicket', roots: 'roots', nearSelection: 'nearSelection', refused: 'refused' });
export const FrameAct = strict('FrameAct', { answer: 'answer', restart: 'restart', pageMentions: 'pageMentions', painted: 'painted', reveal: 'reveal', openCard: 'openCard', benchScan: 'benchScan', benchFloor: 'benchFloor' });
export const ToCardFrame = strict('ToCardFrame', { open: 'open', focus: 'focus', cover: 'cover' });
export const FromCardFrame = strict('FromCardFrame', { place: 'place', logged: 'logged', close: 'close', cover: 'cover' });
