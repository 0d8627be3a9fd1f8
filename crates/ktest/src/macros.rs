//! `ensure!` and `ensure_eq!`: assertions that return [`crate::Failed`] instead of
//! panicking, with the file and line of the check.

/// Returns `Err(Failed)` from the enclosing function unless `cond` holds.
///
/// `ensure!(cond)` names the condition; `ensure!(cond, "fmt", args..)` adds a message.
#[macro_export]
macro_rules! ensure {
    ($cond:expr $(,)?) => {
        if !$cond {
            return ::core::result::Result::Err($crate::Failed::from(::std::format!(
                "{}:{}: check failed: {}",
                ::core::file!(),
                ::core::line!(),
                ::core::stringify!($cond)
            )));
        }
    };
    ($cond:expr, $($arg:tt)+) => {
        if !$cond {
            return ::core::result::Result::Err($crate::Failed::from(::std::format!(
                "{}:{}: {}",
                ::core::file!(),
                ::core::line!(),
                ::std::format!($($arg)+)
            )));
        }
    };
}

/// Returns `Err(Failed)` from the enclosing function unless `a == b`, showing both.
#[macro_export]
macro_rules! ensure_eq {
    ($a:expr, $b:expr $(,)?) => {
        $crate::ensure_eq!($a, $b, "values differ")
    };
    ($a:expr, $b:expr, $($arg:tt)+) => {
        match (&$a, &$b) {
            (left, right) => {
                if !(*left == *right) {
                    return ::core::result::Result::Err($crate::Failed::from(::std::format!(
                        "{}:{}: {}\n  left: {:?} ({})\n right: {:?} ({})",
                        ::core::file!(),
                        ::core::line!(),
                        ::std::format!($($arg)+),
                        left,
                        ::core::stringify!($a),
                        right,
                        ::core::stringify!($b)
                    )));
                }
            }
        }
    };
}
