//! The macros that write [`OpenId`](super::OpenId)'s repetitive members: string properties,
//! `user_details_*` and `discovery_doc_details_*` getters, settings with a typed accessor and
//! event registrations.

macro_rules! string_props {
    ($($(#[$doc:meta])* $get:ident / $set:ident;)*) => {$(
        $(#[$doc])*
        pub fn $get(&self) -> &str {
            &self.p.$get
        }
        #[doc = concat!("Sets [`", stringify!($get), "`](Self::", stringify!($get), ").")]
        pub fn $set(&mut self, value: impl Into<String>) {
            self.p.$get = value.into();
        }
    )*};
}

macro_rules! user_text {
    ($($(#[$doc:meta])* $get:ident => $field:ident;)*) => {$(
        $(#[$doc])*
        pub fn $get(&self) -> &str {
            self.p.user.$field.as_deref().unwrap_or("")
        }
    )*};
}

macro_rules! user_number {
    ($($(#[$doc:meta])* $get:ident => $field:ident;)*) => {$(
        $(#[$doc])*
        pub fn $get(&self) -> i64 {
            self.p.user.$field.unwrap_or(0)
        }
    )*};
}

macro_rules! discovery_text {
    ($($(#[$doc:meta])* $get:ident => $field:ident;)*) => {$(
        $(#[$doc])*
        pub fn $get(&self) -> &str {
            self.p.discovery.as_ref().and_then(|d| d.$field.as_deref()).unwrap_or("")
        }
    )*};
}

macro_rules! discovery_list {
    ($($(#[$doc:meta])* $get:ident => $field:ident;)*) => {$(
        $(#[$doc])*
        pub fn $get(&self) -> String {
            self.p.discovery.as_ref().map(|d| d.$field.join(",")).unwrap_or_default()
        }
    )*};
}

macro_rules! setting_text {
    ($($(#[$doc:meta])* $get:ident / $set:ident => $field:ident;)*) => {$(
        $(#[$doc])*
        pub fn $get(&self) -> String {
            self.p.set.$field.clone()
        }
        #[doc = concat!("Sets [`", stringify!($get), "`](Self::", stringify!($get), ").")]
        pub fn $set(&mut self, value: impl Into<String>) {
            self.p.set.$field = value.into();
        }
    )*};
}

macro_rules! event_registrations {
    ($($(#[$doc:meta])* $name:ident($ev:ty) => $field:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(&mut self, handler: impl Fn(&mut $ev) + Send + Sync + 'static) {
            self.events.$field = Some(Arc::new(handler));
            self.events_epoch = self.events_epoch.wrapping_add(1);
        }
    )*};
}
