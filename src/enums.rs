//! The string-enum macro shared by every area (compiles for the browser too).

/// A closed set of values stored and sent as lowercase text, each with a label for people:
/// `as_str`, `label`, `parse` and `ALL`, the one way enums become text in Lyceum.
#[macro_export]
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
            pub fn parse(input: &str) -> Option<$name> {
                match input.trim() { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}
