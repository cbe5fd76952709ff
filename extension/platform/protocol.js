// Generated from the protocol's Rust types (src/core/src/protocol/generated.rs): do not edit.
// `ESCUCHA_REGENERATE=1 cargo test -p escucha-core protocol::generated` rewrites it; a test fails when it drifts.
// Loaded by the service worker and the content scripts; sets self.escuchaProtocol.
(() => {
  const strict = (name, o) => new Proxy(Object.freeze(o), {
    get(t, k) {
      if (typeof k === 'string' && !(k in t) && k !== 'then' && k !== 'toJSON') throw new Error(`escuchaProtocol.${name} has no '${k}'`);
      return t[k];
    },
  });
  self.escuchaProtocol = Object.freeze({
    ContentRequest: strict('ContentRequest', { ping: 'ping', contentHello: 'contentHello', mentionsFound: 'mentionsFound', getPageCaptures: 'getPageCaptures', openMatcher: 'openMatcher', openCardFrame: 'openCardFrame' }),
    CardRequest: strict('CardRequest', { ping: 'ping', cardHello: 'cardHello', cardLog: 'cardLog', cardEdit: 'cardEdit', getPageCaptures: 'getPageCaptures' }),
    MatcherRequest: strict('MatcherRequest', { ping: 'ping', matcherHello: 'matcherHello' }),
    PageRequest: strict('PageRequest', { ping: 'ping', getSettings: 'getSettings', saveSettings: 'saveSettings', toggleSite: 'toggleSite', logCapture: 'logCapture', editCapture: 'editCapture', getPageCaptures: 'getPageCaptures', importCaptures: 'importCaptures', getLogStatus: 'getLogStatus', logChanged: 'logChanged', openCapture: 'openCapture', syncNow: 'syncNow', testConnection: 'testConnection', saveSyncToken: 'saveSyncToken', getSyncState: 'getSyncState', retryCapture: 'retryCapture', discardCapture: 'discardCapture', getTeamConfig: 'getTeamConfig', savePersonalTerms: 'savePersonalTerms', getWorkspace: 'getWorkspace', mentionOpened: 'mentionOpened', getMembers: 'getMembers' }),
    TabRequest: strict('TabRequest', { ping: 'ping', settingsChanged: 'settingsChanged', getPageMentions: 'getPageMentions', revealMention: 'revealMention', openCard: 'openCard', logSelection: 'logSelection', logChanged: 'logChanged', getPainted: 'getPainted' }),
    PageEvent: strict('PageEvent', { logChanged: 'logChanged' }),
    Answer: strict('Answer', { ok: 'ok', error: 'error' }),
    ErrorCode: strict('ErrorCode', { badMessage: 'bad_message', unknownSender: 'unknown_sender', forbidden: 'forbidden', staleTicket: 'stale_ticket', captureGone: 'capture_gone', noLink: 'no_link', noSite: 'no_site', noMention: 'no_mention', noSelection: 'no_selection', mentionGone: 'mention_gone', otherPage: 'other_page', invalid: 'invalid', settingsUnusable: 'settings_unusable', storage: 'storage', internal: 'internal', noAnswer: 'no_answer', badReply: 'bad_reply' }),
    FrameRequest: strict('FrameRequest', { scan: 'scan', changes: 'changes', pointer: 'pointer', hit: 'hit', incoming: 'incoming', cardClosed: 'cardClosed', painted: 'painted', cardOpening: 'cardOpening', cardTicket: 'cardTicket', roots: 'roots', nearSelection: 'nearSelection' }),
    FrameReply: strict('FrameReply', { hello: 'hello', scan: 'scan', changes: 'changes', pointer: 'pointer', hit: 'hit', incoming: 'incoming', cardClosed: 'cardClosed', painted: 'painted', cardOpening: 'cardOpening', cardTicket: 'cardTicket', roots: 'roots', nearSelection: 'nearSelection', refused: 'refused' }),
    FrameAct: strict('FrameAct', { answer: 'answer', restart: 'restart', pageMentions: 'pageMentions', painted: 'painted', reveal: 'reveal', openCard: 'openCard', benchScan: 'benchScan', benchFloor: 'benchFloor' }),
    ToCardFrame: strict('ToCardFrame', { open: 'open', focus: 'focus', cover: 'cover' }),
    FromCardFrame: strict('FromCardFrame', { place: 'place', logged: 'logged', close: 'close', cover: 'cover' }),
  });
})();
