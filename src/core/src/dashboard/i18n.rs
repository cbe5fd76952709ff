//! The dashboard's English and Spanish strings.
//!
//! The dashboard is a web page served by the team-log server, not an
//! extension page, so `_locales` does not reach it: its strings live here,
//! one line per key with both languages side by side, so a missing
//! translation is a compile error. `{0}`, `{1}` are placeholders.

use crate::log::{Priority, Sentiment, Status};

/// The dashboard's languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    En,
    Es,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// BCP 47 tag, also what `Intl` formats with.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The language's own name, for the switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
        }
    }

    /// `Some` for a tag we speak ("es-AR" → Spanish).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "es" => Some(Lang::Es),
            _ => None,
        }
    }

    /// The first of the browser's preferred languages we speak; English otherwise.
    pub fn pick<S: AsRef<str>>(preferred: &[S]) -> Lang {
        preferred.iter().find_map(|t| Lang::from_tag(t.as_ref())).unwrap_or_default()
    }
}

macro_rules! texts {
    ($($variant:ident => $en:literal, $es:literal;)*) => {
        /// A dashboard string.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Text { $($variant,)* }
        impl Text {
            pub const ALL: &'static [Text] = &[$(Text::$variant,)*];
            /// The key as written in `data-i18n` attributes of `www/index.html`.
            pub fn name(self) -> &'static str {
                match self { $(Text::$variant => stringify!($variant),)* }
            }
            pub fn from_name(name: &str) -> Option<Text> {
                match name { $(stringify!($variant) => Some(Text::$variant),)* _ => None }
            }
            pub fn get(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $((Text::$variant, Lang::En) => $en, (Text::$variant, Lang::Es) => $es,)*
                }
            }
        }
    };
}

texts! {
    AppTitle => "Escucha · Team log", "Escucha · Registro del equipo";
    Language => "Language", "Idioma";
    SignOut => "Sign out", "Cerrar sesión";
    SignedInAs => "{0} · team {1}", "{0} · equipo {1}";
    LoginTitle => "Sign in with your team token", "Entra con el token de tu equipo";
    LoginHelp => "Ask your team's admin for a token. It is kept only in this browser tab and sent only to this server.", "Pide un token al administrador de tu equipo. Se guarda solo en esta pestaña y solo se envía a este servidor.";
    TokenLabel => "Token", "Token";
    SignIn => "Sign in", "Entrar";
    TokenEmpty => "Paste your token first.", "Pega primero tu token.";
    TokenRejected => "The server did not accept this token. Check it, or ask your admin for a new one.", "El servidor no aceptó este token. Revísalo o pide uno nuevo a tu administrador.";
    TokenRevoked => "This token was revoked. Ask your admin for a new one.", "Este token fue revocado. Pide uno nuevo a tu administrador.";
    RateLimited => "The server asks to slow down; trying again in {0} s.", "El servidor pide ir más despacio; se reintentará en {0} s.";
    ServerUnreachable => "Cannot reach the team-log server. Check your connection.", "No se puede contactar con el servidor del registro. Revisa tu conexión.";
    ServerError => "The server answered with an error: {0}", "El servidor respondió con un error: {0}";
    Loading => "Loading the team log…", "Cargando el registro del equipo…";
    UpdatedAt => "Updated {0}", "Actualizado {0}";
    Refresh => "Refresh", "Actualizar";
    SearchLabel => "Search", "Buscar";
    SearchPlaceholder => "Words in the comment, author, page, tags…", "Palabras del comentario, autor, página, etiquetas…";
    Brand => "Brand", "Marca";
    Sentiment => "Sentiment", "Sentimiento";
    Department => "Department", "Departamento";
    Status => "Status", "Estado";
    Site => "Site", "Sitio";
    Member => "Member", "Miembro";
    Priority => "Priority", "Prioridad";
    FromDate => "From", "Desde";
    ToDate => "To", "Hasta";
    Any => "All", "Todos";
    NoDepartment => "No department", "Sin departamento";
    NoBrand => "(no brand)", "(sin marca)";
    NoSite => "(unknown site)", "(sitio desconocido)";
    ClearFilters => "Clear filters", "Quitar filtros";
    BadDate => "Dates must be written as YYYY-MM-DD.", "Las fechas deben escribirse como AAAA-MM-DD.";
    Summary => "{0} of {1} captures", "{0} de {1} capturas";
    NoResults => "No captures match these filters.", "Ninguna captura coincide con estos filtros.";
    EmptyLog => "No captures yet. In the extension, open “Brands and settings” → Sync, enter this server's address and your token: what your team logs then appears here.", "Aún no hay capturas. En la extensión, abre «Marcas y ajustes» → Sincronización y escribe la dirección de este servidor y tu token: lo que registre tu equipo aparecerá aquí.";
    ColDate => "Captured", "Capturado";
    ColComment => "Comment", "Comentario";
    ColAuthor => "Author", "Autor";
    Previous => "Previous", "Anterior";
    Next => "Next", "Siguiente";
    PageOf => "Page {0} of {1}", "Página {0} de {1}";
    DetailTitle => "Capture", "Captura";
    Close => "Close", "Cerrar";
    PageTitle => "Page", "Página";
    CommentTime => "Comment written", "Comentario escrito";
    CapturedBy => "Captured by", "Capturado por";
    Term => "Matched term", "Término encontrado";
    Tags => "Tags", "Etiquetas";
    Note => "Note", "Nota";
    OpenComment => "Open the comment", "Abrir el comentario";
    OpenPage => "Open the page", "Abrir la página";
    LinkNotSafe => "Link not shown: only http and https links open from here.", "Enlace no mostrado: desde aquí solo se abren enlaces http y https.";
    Truncated => "The comment was cut to {0} of {1} characters when captured.", "El comentario se recortó a {0} de {1} caracteres al capturarlo.";
    Saving => "Saving…", "Guardando…";
    Saved => "Saved.", "Guardado.";
    EditFailed => "The change was not saved: {0}", "El cambio no se guardó: {0}";
    Charts => "Charts", "Gráficos";
    ChartSentimentPerDay => "Mentions per day by sentiment", "Menciones por día según sentimiento";
    ChartByBrand => "Mentions by brand", "Menciones por marca";
    ChartByDepartment => "Mentions by department", "Menciones por departamento";
    ChartBySite => "Mentions by site", "Menciones por sitio";
    ChartStatusOverTime => "Response status over time (by the day the status was set)", "Estado de respuesta en el tiempo (por el día en que se fijó)";
    Mentions => "Mentions", "Menciones";
    Other => "Other", "Otros";
    ChartsUnavailable => "Charts could not be drawn: {0}", "No se pudieron dibujar los gráficos: {0}";
    SentimentPositive => "Positive", "Positivo";
    SentimentNeutral => "Neutral", "Neutral";
    SentimentNegative => "Negative", "Negativo";
    SentimentQuestion => "Question", "Pregunta";
    StatusNew => "New", "Nuevo";
    StatusNeedsResponse => "Needs response", "Requiere respuesta";
    StatusResponded => "Responded", "Respondido";
    StatusEscalated => "Escalated", "Escalado";
    StatusClosed => "Closed", "Cerrado";
    PriorityLow => "Low", "Baja";
    PriorityNormal => "Normal", "Normal";
    PriorityHigh => "High", "Alta";
    PriorityUrgent => "Urgent", "Urgente";
    // seams14: server error codes worded here; plurals
    ServerRefused => "The server refused: {0} (it said: “{1}”)", "El servidor lo rechazó: {0} (dijo: «{1}»)";
    ServerErrUnauthorized => "the token is not accepted", "no acepta el token";
    ServerErrForbidden => "the token was revoked", "el token fue revocado";
    ServerErrNotFound => "there is no such address", "esa dirección no existe";
    ServerErrBadRequest => "the request holds an invalid value", "la petición contiene un valor no válido";
    ServerErrUnsupportedMediaType => "the request was not sent as JSON", "la petición no se envió como JSON";
    ServerErrMethodNotAllowed => "this request is not allowed", "esta petición no está permitida";
    ServerErrPayloadTooLarge => "the request is too large", "la petición es demasiado grande";
    ServerErrTooManyItems => "too many items in one request", "demasiados elementos en una petición";
    ServerErrRateLimited => "too many requests for now", "demasiadas peticiones por ahora";
    ServerErrUnsupportedVersion => "it does not speak this version of the API", "no admite esta versión de la API";
    ServerErrInternal => "it had an internal error", "tuvo un error interno";
    ServerErrStorageUnavailable => "its database is unavailable", "su base de datos no está disponible";
    SummaryOne => "{0} of {1} capture", "{0} de {1} captura";
    DeptProduct => "Product", "Producto";
    DeptMarketing => "Marketing", "Marketing";
    DeptPr => "PR", "Relaciones públicas";
    DeptEngineering => "Engineering", "Ingeniería";
    DeptLogistics => "Logistics", "Logística";
    DeptCustomerService => "Customer Service", "Atención al cliente";
    HealthUp => "Escucha {0} · {1} ({2}, synchronous={3}) — the server is up", "Escucha {0} · {1} ({2}, synchronous={3}) — el servidor funciona";
    // srv11: the server's request deadline.
    ServerErrRequestTimeout => "the request did not arrive in time", "la petición no llegó a tiempo";
    // srv11b: a per-team quota (409 quota_exceeded).
    ServerErrQuotaExceeded => "the team log is full", "el registro del equipo está lleno";
    // roles12: roles, members and tokens (issue 12).
    ServerErrRoleForbidden => "your role does not allow that", "tu rol no permite eso";
    ServerErrLastAdmin => "the team must keep at least one admin", "el equipo debe conservar al menos un administrador";
    ServerErrConflict => "that name is already taken", "ese nombre ya existe";
    MembersTitle => "Members", "Miembros";
    MembersHelp => "Who is in the team and what each may do. Admins manage configuration, members and tokens; members capture, edit and comment; viewers only read.", "Quién está en el equipo y qué puede hacer cada uno. Los administradores gestionan la configuración, los miembros y los tokens; los miembros capturan, editan y comentan; los lectores solo leen.";
    MemberName => "Name", "Nombre";
    MemberRole => "Role", "Rol";
    RoleAdmin => "Admin", "Administrador";
    RoleMember => "Member", "Miembro";
    RoleViewer => "Viewer (read only)", "Lector (solo lectura)";
    AddMember => "Add member", "Añadir miembro";
    IssueToken => "New token", "Nuevo token";
    MemberAdded => "{0} was added as {1}.", "{0} se añadió como {1}.";
    RoleChanged => "{0} is now {1}.", "{0} ahora es {1}.";
    TokenIssued => "Token for {0}. Copy it now and give it to them: it is not shown again.", "Token para {0}. Cópialo ahora y dáselo: no se vuelve a mostrar.";
    MembersFailed => "The members could not be changed: {0}", "No se pudieron cambiar los miembros: {0}";
    // queue12: the dashboard's queue (sort, one-click views, selection and bulk changes, saved views, detail pane).
    Assignee => "Assignee", "Responsable";
    Queue => "Queue", "Cola de trabajo";
    SortNewest => "Newest first", "Las más recientes primero";
    SortOldest => "Oldest first", "Las más antiguas primero";
    SortPriorityHigh => "Priority: highest first", "Prioridad: la más alta primero";
    SortPriorityLow => "Priority: lowest first", "Prioridad: la más baja primero";
    SortAscending => "By {0}, A to Z", "Por {0}, de la A a la Z";
    SortDescending => "By {0}, Z to A", "Por {0}, de la Z a la A";
    SortBy => "Sort by {0}", "Ordenar por {0}";
    QuickViews => "Quick views", "Vistas rápidas";
    QuickMine => "Mine", "Mías";
    QuickUnassigned => "Unassigned", "Sin asignar";
    QuickMyDepartment => "My department", "Mi departamento";
    MyDepartmentLabel => "My department", "Mi departamento";
    Unassigned => "Unassigned", "Sin asignar";
    SelectRow => "Select this capture", "Seleccionar esta captura";
    SelectPage => "Select every capture on this page", "Seleccionar todas las capturas de esta página";
    SelectedOne => "{0} selected", "{0} seleccionada";
    SelectedMany => "{0} selected", "{0} seleccionadas";
    BulkTitle => "Change the selection", "Cambiar la selección";
    BulkField => "Change", "Cambiar";
    BulkValue => "To", "A";
    BulkApply => "Apply to the selection", "Aplicar a la selección";
    ClearSelection => "Clear the selection", "Quitar la selección";
    BulkDone => "{0} captures changed.", "{0} capturas cambiadas.";
    BulkDoneOne => "{0} capture changed.", "{0} captura cambiada.";
    BulkPartial => "{0} changed, {1} not: {2}.", "{0} cambiadas, {1} no: {2}.";
    BulkNothingSelected => "Select captures first.", "Selecciona primero algunas capturas.";
    SavedViews => "Saved views", "Vistas guardadas";
    ViewName => "Name for the current view", "Nombre para la vista actual";
    SaveView => "Save view", "Guardar vista";
    DeleteView => "Delete view {0}", "Borrar la vista {0}";
    OpenView => "Open view {0}", "Abrir la vista {0}";
    NoViews => "No saved views yet: set filters and a sort, name them and save.", "Aún no hay vistas guardadas: elige filtros y un orden, ponles nombre y guárdalos.";
    ViewSaved => "View “{0}” saved.", "Vista «{0}» guardada.";
    ViewNameEmpty => "Name the view first.", "Ponle nombre a la vista primero.";
    ViewNameTooLong => "A view name has at most {0} characters.", "El nombre de una vista tiene como máximo {0} caracteres.";
    History => "History", "Historial";
    NoHistory => "No changes yet.", "Aún no hay cambios.";
    HistoryEntry => "{0} changed {1} from “{2}” to “{3}”", "{0} cambió {1} de «{2}» a «{3}»";
    Comments => "Comments", "Comentarios";
    NoComments => "No comments yet.", "Aún no hay comentarios.";
    AddComment => "Add a comment", "Añadir un comentario";
    PostComment => "Post comment", "Publicar comentario";
    CommentEmpty => "Write the comment first.", "Escribe primero el comentario.";
    ReadOnly => "Your role can read this log but not change it.", "Tu rol puede leer este registro, pero no cambiarlo.";
    NoValue => "(none)", "(ninguno)";
    MyDepartmentMissing => "Type your department in “My department” first.", "Escribe primero tu departamento en «Mi departamento».";
    // cfgedit12: the team configuration editor (admins). Its problems are worded from _locales, not here.
    ConfigTitle => "Team configuration", "Configuración del equipo";
    ConfigHelp => "The brand list, departments, capture defaults and site rules every member's extension applies. A member's own extra terms and switched-off sites stay in their browser.", "La lista de marcas, los departamentos, los valores por defecto de las capturas y las reglas de sitios que aplica la extensión de cada miembro. Los términos extra y los sitios desactivados de cada miembro se quedan en su navegador.";
    ConfigDepartments => "Departments (one per line)", "Departamentos (uno por línea)";
    ConfigDeny => "Sites never scanned (one rule per line: a host, a wildcard or a URL prefix)", "Sitios que nunca se analizan (una regla por línea: un host, un comodín o un prefijo de URL)";
    ConfigDefaults => "Capture defaults", "Valores por defecto de las capturas";
    ConfigBrands => "Brand list (JSON, as the options page imports and exports it)", "Lista de marcas (JSON, como la importa y exporta la página de opciones)";
    ConfigSave => "Save configuration", "Guardar configuración";
    ConfigReload => "Reload", "Volver a cargar";
    ConfigNone => "No team configuration yet (version 0): saving creates version 1.", "Aún no hay configuración del equipo (versión 0): al guardar se crea la versión 1.";
    ConfigVersion => "Version {0}, saved by {1} at {2}", "Versión {0}, guardada por {1} el {2}";
    ConfigSaved => "Saved: version {0}.", "Guardada: versión {0}.";
    ConfigStale => "Someone else saved version {0} meanwhile. Reload to see it; your text is kept.", "Otra persona guardó la versión {0} mientras tanto. Vuelve a cargar para verla; tu texto se conserva.";
    ConfigInvalid => "The configuration was not saved:", "La configuración no se guardó:";
    ConfigFailed => "The team configuration could not be loaded or saved: {0}", "No se pudo cargar o guardar la configuración del equipo: {0}";
    // rules13 (issue 13): the routing rules editor.
    RulesTitle => "Routing rules", "Reglas de enrutamiento";
    RulesHelp => "When a capture first reaches the team log, the rules run in order: the first rule that sets a department, assignee or priority wins; tags and destinations add up; a rule marked “stop” ends the list. Words match as highlighting does (case and accents ignored, whole words).", "Cuando una captura llega por primera vez al registro del equipo, las reglas se aplican en orden: la primera regla que fija un departamento, una persona asignada o una prioridad gana; las etiquetas y los destinos se suman; una regla marcada con «parar» termina la lista. Las palabras coinciden como en el resaltado (sin distinguir mayúsculas ni acentos, palabras completas).";
    RulesNone => "No rules yet.", "Aún no hay reglas.";
    RulesReadOnly => "Only admins can change the rules.", "Solo los administradores pueden cambiar las reglas.";
    RuleNumber => "Rule {0}", "Regla {0}";
    RuleName => "Name", "Nombre";
    RuleEnabled => "On", "Activa";
    RuleStop => "Stop after this rule", "Parar tras esta regla";
    RuleMatchAll => "When all of these hold", "Cuando se cumplan todas";
    RuleMatchAny => "When any of these holds", "Cuando se cumpla alguna";
    RuleNot => "not", "no";
    RuleKindWords => "Words in the comment (comma-separated)", "Palabras en el comentario (separadas por comas)";
    RuleKindBrand => "Brand group", "Grupo de marca";
    RuleKindTerm => "Term", "Término";
    RuleKindSite => "Site", "Sitio";
    RuleKindLanguage => "Language", "Idioma";
    RuleKindAuthor => "Author", "Autor";
    RuleKindJson => "Condition (JSON)", "Condición (JSON)";
    RuleAddCondition => "Add condition", "Añadir condición";
    RuleRemoveCondition => "Remove condition", "Quitar condición";
    RuleThen => "Then", "Entonces";
    RuleAssignee => "Assign to", "Asignar a";
    RuleTags => "Add tags (comma-separated)", "Añadir etiquetas (separadas por comas)";
    RuleSendTo => "Send to destinations (comma-separated names)", "Enviar a destinos (nombres separados por comas)";
    RuleNoChange => "(no change)", "(sin cambio)";
    RuleAdd => "Add rule", "Añadir regla";
    RuleRemove => "Remove rule", "Quitar regla";
    RuleUp => "Move up", "Subir";
    RuleDown => "Move down", "Bajar";
    RuleBadJson => "Rule {0}, condition {1}: the JSON does not read as a condition ({2}).", "Regla {0}, condición {1}: el JSON no se lee como una condición ({2}).";
    RulesRerunDry => "Count what re-running would change", "Contar qué cambiaría al volver a aplicar";
    RulesRerun => "Re-run rules on existing captures", "Volver a aplicar las reglas a las capturas existentes";
    RulesRerunWould => "{0} of {1} captures would change (saved rules, version {2}).", "Cambiarían {0} de {1} capturas (reglas guardadas, versión {2}).";
    RulesRerunDone => "{0} of {1} captures changed.", "Cambiaron {0} de {1} capturas.";
    // sla13 (issue 13): response times, service targets, reports.
    ReportsTitle => "Response times", "Tiempos de respuesta";
    ReportsHelp => "First response and time to close in working time, from each capture's history; median and 90th percentile.", "Primera respuesta y tiempo hasta el cierre en horario laboral, según el historial de cada captura; mediana y percentil 90.";
    ReportsDepartment => "Department", "Departamento";
    ReportsAllDepartments => "All departments", "Todos los departamentos";
    ReportsFrom => "From", "Desde";
    ReportsTo => "To", "Hasta";
    ReportsShow => "Show report", "Ver informe";
    ReportsPrint => "Print", "Imprimir";
    ReportsCsv => "Download CSV", "Descargar CSV";
    ReportsByDepartment => "By department", "Por departamento";
    ReportsByMember => "By member", "Por miembro";
    ReportsByBrand => "By brand", "Por marca";
    ReportsByWeek => "By week", "Por semana";
    ReportsTotal => "All captures", "Todas las capturas";
    ReportsGroup => "Group", "Grupo";
    ReportsCaptures => "Captures", "Capturas";
    ReportsResponded => "Responded", "Respondidas";
    ReportsClosed => "Closed", "Cerradas";
    ReportsFirstMedian => "First response, median", "Primera respuesta, mediana";
    ReportsFirstP90 => "First response, 90th percentile", "Primera respuesta, percentil 90";
    ReportsCloseMedian => "Time to close, median", "Tiempo hasta el cierre, mediana";
    ReportsCloseP90 => "Time to close, 90th percentile", "Tiempo hasta el cierre, percentil 90";
    ReportsBreaching => "Breaching target", "Fuera de objetivo";
    ReportsBreachesTitle => "Captures breaching target ({0})", "Capturas fuera de objetivo ({0})";
    ReportsNoBreaches => "No capture breached its target.", "Ninguna captura incumplió su objetivo.";
    ReportsBreachKind => "Target", "Objetivo";
    ReportsDueAt => "Due", "Vencía";
    ReportsOver => "Over by", "Excedido en";
    ReportsCapture => "Capture", "Captura";
    ReportsWeekOf => "Week of {0}", "Semana del {0}";
    ReportsGenerated => "{0} · computed {1}", "{0} · calculado el {1}";
    ReportsFailed => "The report could not be loaded: {0}", "No se pudo cargar el informe: {0}";
    ReportsNoTargets => "No service targets are set: figures are shown, nothing counts as breaching.", "No hay objetivos de servicio: se muestran las cifras, nada cuenta como fuera de objetivo.";
    ReportsOpen => "Department report", "Informe del departamento";
    DueFirstResponse => "First response", "Primera respuesta";
    DueClose => "Close", "Cierre";
    DueIn => "Due {0} (in {1})", "Vence {0} (en {1})";
    DueOverdue => "Overdue since {0} ({1})", "Vencida desde {0} ({1})";
    CsvMinutes => "minutes", "minutos";
    ServiceTitle => "Service targets and working hours", "Objetivos de servicio y horario laboral";
    ServiceHelp => "Targets are working minutes per priority (optionally per department). Working hours are local to the time zone; no hours means around the clock.", "Los objetivos son minutos laborables por prioridad (opcionalmente por departamento). El horario es local a la zona horaria; sin horario, cuenta todo el día.";
    ServiceTimeZone => "Time zone (IANA, e.g. Europe/Madrid)", "Zona horaria (IANA, p. ej. Europe/Madrid)";
    ServiceHours => "Working hours (one per line: day start end, e.g. mon 09:00 18:00)", "Horario laboral (uno por línea: día inicio fin, p. ej. mon 09:00 18:00)";
    ServiceTargets => "Targets (one per line: priority [department] first-response-minutes close-minutes, - for none)", "Objetivos (uno por línea: prioridad [departamento] minutos-primera-respuesta minutos-cierre, - si no hay)";
    // verify13: the team's own accounts per site (verified response).
    ConfigTeamAccounts => "Team accounts (one site per line: forum.acme.com: @handle, https://forum.acme.com/members/profile)", "Cuentas del equipo (un sitio por línea: foro.acme.com: @usuario, https://foro.acme.com/members/perfil)";
    // digest13 (issue 13): the digests and alerts part of the team configuration.
    ConfigFeedback => "Weekly digests and spike alerts (JSON: timeZone; digest: weekday, hour; departments: name, language en or es, digest, spikes; spike: windowHours, factorPercent, minimum, coolDownHours)", "Resúmenes semanales y alertas de picos (JSON: timeZone; digest: weekday, hour; departments: name, language en o es, digest, spikes; spike: windowHours, factorPercent, minimum, coolDownHours)";
    // outbox13 (issue 13): destinations and the delivery log.
    DestTitle => "Destinations", "Destinos";
    DestHelp => "Where each department's captures are sent by the server. Secrets are never shown: leave them blank to keep the stored one.", "Adónde envía el servidor las capturas de cada departamento. Los secretos nunca se muestran: déjalos en blanco para conservar el guardado.";
    DestName => "Name", "Nombre";
    DestKind => "Kind", "Tipo";
    DestDepartment => "Department", "Departamento";
    DestNoDepartment => "(only when named)", "(solo si se nombra)";
    DestLanguage => "Language", "Idioma";
    DestEnabled => "Enabled", "Activo";
    DestHost => "Host", "Servidor";
    DestSecretCol => "Secret", "Secreto";
    DestSecretSet => "set", "guardado";
    DestSecretNotSet => "not set", "sin guardar";
    DestYes => "yes", "sí";
    DestNo => "no", "no";
    DestActions => "Actions", "Acciones";
    DestNone => "No destinations yet.", "Todavía no hay destinos.";
    DestAdd => "Add a destination", "Añadir un destino";
    DestEditing => "Editing {0}", "Editando {0}";
    DestSave => "Save destination", "Guardar destino";
    DestCancel => "Cancel", "Cancelar";
    DestEdit => "Edit", "Editar";
    DestDelete => "Delete", "Eliminar";
    DestTest => "Send a test", "Enviar una prueba";
    DestLog => "Deliveries", "Entregas";
    DestSaved => "Destination {0} saved.", "Destino {0} guardado.";
    DestDeleted => "Destination {0} deleted.", "Destino {0} eliminado.";
    DestTestSent => "A test message to {0} is on its way.", "Un mensaje de prueba para {0} está en camino.";
    DestFailed => "The destinations could not be changed: {0}", "No se pudieron cambiar los destinos: {0}";
    DestKindSlack => "Slack", "Slack";
    DestKindTeams => "Microsoft Teams", "Microsoft Teams";
    DestKindEmail => "Email (SMTP)", "Correo (SMTP)";
    DestKindWebhook => "Signed webhook", "Webhook firmado";
    DestWebhookUrl => "Webhook URL", "URL del webhook";
    DestSmtpHost => "SMTP server", "Servidor SMTP";
    DestSmtpPort => "SMTP port", "Puerto SMTP";
    DestSecurity => "Security", "Seguridad";
    DestUsername => "User name", "Usuario";
    DestPassword => "Password", "Contraseña";
    DestFrom => "From", "Remitente";
    DestTo => "To (comma-separated)", "Para (separados por comas)";
    DestUrl => "URL", "URL";
    DestSecret => "Signing secret (whsec_…)", "Secreto de firma (whsec_…)";
    DestSecretKept => "Set: leave blank to keep it", "Guardado: déjalo en blanco para conservarlo";
    DestProblemKind => "Choose a kind of destination.", "Elige un tipo de destino.";
    DestProblemPort => "The SMTP port is a number from 1 to 65535.", "El puerto SMTP es un número de 1 a 65535.";
    DestProblemName => "A destination needs a name.", "Un destino necesita un nombre.";
    DestProblemNameLong => "A destination's name has at most {0} characters.", "El nombre de un destino tiene como máximo {0} caracteres.";
    DestProblemDepartment => "{0} is not one of the team's departments.", "{0} no es uno de los departamentos del equipo.";
    DestProblemRequired => "{0} is required.", "{0}: obligatorio.";
    DestProblemUrl => "{0}: {1}", "{0}: {1}";
    DestUrlScheme => "it must start with https:// or http://.", "debe empezar por https:// o http://.";
    DestUrlHost => "it has no host.", "no tiene servidor.";
    DestUrlCredentials => "it must not contain a user name or password.", "no debe contener usuario ni contraseña.";
    DestUrlPort => "its port is not valid.", "su puerto no es válido.";
    DestUrlCharacters => "it contains spaces, control characters or a #.", "contiene espacios, caracteres de control o un #.";
    DestProblemSecret => "The signing secret must be whsec_ followed by base64 of 24 to 64 bytes.", "El secreto de firma debe ser whsec_ seguido de base64 de 24 a 64 bytes.";
    DestProblemEmail => "{0} is not an email address.", "{0} no es una dirección de correo.";
    DestProblemRecipients => "An email destination needs 1 to 20 recipients.", "Un destino de correo necesita de 1 a 20 destinatarios.";
    DestProblemSmtp => "The SMTP server needs a host and a port.", "El servidor SMTP necesita un nombre y un puerto.";
    DeliveriesTitle => "Delivery log", "Registro de entregas";
    DeliveriesFor => "Deliveries to {0}", "Entregas a {0}";
    DeliveriesNone => "No deliveries.", "No hay entregas.";
    DeliveriesAll => "All destinations", "Todos los destinos";
    DeliveriesFailed => "The delivery log could not be loaded: {0}", "No se pudo cargar el registro de entregas: {0}";
    DeliveryDestination => "Destination", "Destino";
    DeliveryState => "State", "Estado";
    DeliveryAttempts => "Attempts", "Intentos";
    DeliveryLastAnswer => "Last answer", "Última respuesta";
    DeliveryNextTry => "Next try", "Próximo intento";
    DeliveryCreated => "Queued", "En cola";
    DeliveryWaiting => "Waiting", "En espera";
    DeliveryFailing => "Failed, will retry", "Falló, se reintentará";
    DeliveryDelivered => "Delivered", "Entregada";
    DeliveryDead => "Given up", "Abandonada";
    DeliveryUnknown => "Unknown state", "Estado desconocido";
    DeliveryHttp => "HTTP {0}", "HTTP {0}";
    DeliverySmtp => "SMTP {0}", "SMTP {0}";
    DeliveryRetry => "Retry now", "Reintentar ahora";
    DeliveryRetried => "Retrying now.", "Reintentando ahora.";
}

/// Fill `{0}`, `{1}`… in `template`. Arguments are plain text; the result is
/// only ever set as text content.
pub fn fill(template: &str, args: &[&str]) -> String {
    let mut out = template.to_string();
    for (i, a) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), a);
    }
    out
}

/// `Text::get` then [`fill`].
pub fn tr(lang: Lang, text: Text, args: &[&str]) -> String {
    fill(text.get(lang), args)
}

pub fn sentiment_label(lang: Lang, s: Sentiment) -> &'static str {
    match s {
        Sentiment::Positive => Text::SentimentPositive,
        Sentiment::Neutral => Text::SentimentNeutral,
        Sentiment::Negative => Text::SentimentNegative,
        Sentiment::Question => Text::SentimentQuestion,
    }
    .get(lang)
}

pub fn status_label(lang: Lang, s: Status) -> &'static str {
    match s {
        Status::New => Text::StatusNew,
        Status::NeedsResponse => Text::StatusNeedsResponse,
        Status::Responded => Text::StatusResponded,
        Status::Escalated => Text::StatusEscalated,
        Status::Closed => Text::StatusClosed,
    }
    .get(lang)
}

/// What a team-log error code means (the server's own message is English).
pub fn server_error_label(lang: Lang, code: crate::sync::api::ErrorCode) -> &'static str {
    use crate::sync::api::ErrorCode::*;
    match code {
        Unauthorized => Text::ServerErrUnauthorized,
        Forbidden => Text::ServerErrForbidden,
        NotFound => Text::ServerErrNotFound,
        BadRequest => Text::ServerErrBadRequest,
        UnsupportedMediaType => Text::ServerErrUnsupportedMediaType,
        MethodNotAllowed => Text::ServerErrMethodNotAllowed,
        PayloadTooLarge => Text::ServerErrPayloadTooLarge,
        TooManyItems => Text::ServerErrTooManyItems,
        RateLimited => Text::ServerErrRateLimited,
        UnsupportedVersion => Text::ServerErrUnsupportedVersion,
        Internal => Text::ServerErrInternal,
        StorageUnavailable => Text::ServerErrStorageUnavailable,
        RequestTimeout => Text::ServerErrRequestTimeout,
        UriTooLong | HeadersTooLarge => Text::ServerErrPayloadTooLarge,
        QuotaExceeded => Text::ServerErrQuotaExceeded,
        RoleForbidden => Text::ServerErrRoleForbidden,
        LastAdmin => Text::ServerErrLastAdmin,
        Conflict => Text::ServerErrConflict,
    }
    .get(lang)
}

/// A role's name in the dashboard's language (roles12).
pub fn role_label(lang: Lang, role: crate::workspace::role::Role) -> &'static str {
    use crate::workspace::role::Role::*;
    match role {
        Admin => Text::RoleAdmin,
        Member => Text::RoleMember,
        Viewer => Text::RoleViewer,
    }
    .get(lang)
}

/// A stored department as the viewer reads it: a default department in the
/// dashboard's language, any other as stored.
pub fn department_label(lang: Lang, stored: &str) -> String {
    use crate::settings::DefaultDepartment::*;
    let text = match crate::settings::DefaultDepartment::of(stored) {
        Some(Product) => Text::DeptProduct,
        Some(Marketing) => Text::DeptMarketing,
        Some(Pr) => Text::DeptPr,
        Some(Engineering) => Text::DeptEngineering,
        Some(Logistics) => Text::DeptLogistics,
        Some(CustomerService) => Text::DeptCustomerService,
        None => return stored.to_string(),
    };
    text.get(lang).to_string()
}

/// `one` or `other` for `n` things, by the language's plural rule (the core's one helper).
pub fn count_text(lang: Lang, n: u64, one: Text, other: Text) -> Text {
    match crate::i18n::plural(lang.tag(), n) {
        crate::i18n::Plural::One => one,
        crate::i18n::Plural::Other => other,
    }
}

pub fn priority_label(lang: Lang, p: Priority) -> &'static str {
    match p {
        Priority::Low => Text::PriorityLow,
        Priority::Normal => Text::PriorityNormal,
        Priority::High => Text::PriorityHigh,
        Priority::Urgent => Text::PriorityUrgent,
    }
    .get(lang)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<String> {
        let mut found: Vec<String> = (0..10).map(|i| format!("{{{i}}}")).filter(|p| s.contains(p.as_str())).collect();
        found.sort();
        found
    }

    #[test]
    fn every_string_exists_in_both_languages_with_the_same_placeholders() {
        for &t in Text::ALL {
            let (en, es) = (t.get(Lang::En), t.get(Lang::Es));
            assert!(!en.trim().is_empty() && !es.trim().is_empty(), "{t:?}");
            assert_eq!(placeholders(en), placeholders(es), "{t:?}");
            assert_eq!(Text::from_name(t.name()), Some(t));
        }
        assert_eq!(Text::from_name("NoSuchKey"), None);
    }

    #[test]
    fn picks_the_first_preferred_language_we_speak() {
        let cases: &[(&[&str], Lang)] = &[
            (&["es-AR", "en"], Lang::Es),
            (&["fr-FR", "es"], Lang::Es),
            (&["en-GB", "es"], Lang::En),
            (&["ES_es"], Lang::Es),
            (&["de", "fr"], Lang::En),
            (&[], Lang::En),
        ];
        for (tags, want) in cases {
            assert_eq!(Lang::pick(tags), *want, "{tags:?}");
        }
    }

    #[test]
    fn placeholders_are_filled_with_plain_text() {
        assert_eq!(tr(Lang::Es, Text::Summary, &["3", "10"]), "3 de 10 capturas");
        assert_eq!(fill("{0}<{1}>", &["<b>", "{0}"]), "<b><{0}>");
    }

    #[test]
    fn every_enum_value_has_a_label_in_each_language() {
        for lang in Lang::ALL {
            for s in Sentiment::ALL {
                assert!(!sentiment_label(lang, s).is_empty());
            }
            for s in Status::ALL {
                assert!(!status_label(lang, s).is_empty());
            }
            for p in Priority::ALL {
                assert!(!priority_label(lang, p).is_empty());
            }
        }
        assert_eq!(status_label(Lang::Es, Status::NeedsResponse), "Requiere respuesta");
        for code in crate::sync::api::ErrorCode::ALL {
            assert_ne!(server_error_label(Lang::En, code), server_error_label(Lang::Es, code), "{code:?}");
        }
        assert_eq!(tr(Lang::Es, count_text(Lang::Es, 1, Text::SummaryOne, Text::Summary), &["1", "1"]), "1 de 1 captura");
    }
}
