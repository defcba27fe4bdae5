//! Logging to the app: one exported call sets the level and the sink, a
//! foreign trait that receives each event as a line of text.
//!
//! The first call installs a `tracing` subscriber for the whole process;
//! later calls change the level and the sink in place. Events from the
//! library's own threads reach the sink on those threads.

use std::fmt::Write as _;
use std::sync::{Arc, OnceLock, RwLock};

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::Layer;

use crate::tasks::CallbackError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl From<LogLevel> for Level {
    fn from(level: LogLevel) -> Self {
        match level {
            LogLevel::Error => Level::ERROR,
            LogLevel::Warn => Level::WARN,
            LogLevel::Info => Level::INFO,
            LogLevel::Debug => Level::DEBUG,
            LogLevel::Trace => Level::TRACE,
        }
    }
}

impl From<&Level> for LogLevel {
    fn from(level: &Level) -> Self {
        match *level {
            Level::ERROR => LogLevel::Error,
            Level::WARN => LogLevel::Warn,
            Level::INFO => LogLevel::Info,
            Level::DEBUG => LogLevel::Debug,
            _ => LogLevel::Trace,
        }
    }
}

/// Receives the library's log events: Logcat on Android, `os_log` on iOS.
#[uniffi::export(with_foreign)]
pub trait LogSink: Send + Sync {
    /// `target` is the Rust module that logged; `message` holds the event's
    /// message and fields as `name=value`.
    fn log(&self, level: LogLevel, target: String, message: String) -> Result<(), CallbackError>;
}

/// A failure to set up logging.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum LoggingError {
    #[error("another logger is already installed in this process: {reason}; configure logging before anything else logs")]
    AlreadyInstalled { reason: String },
}

struct Config {
    level: Level,
    sink: Arc<dyn LogSink>,
}

fn config() -> &'static RwLock<Option<Config>> {
    static CONFIG: OnceLock<RwLock<Option<Config>>> = OnceLock::new();
    CONFIG.get_or_init(|| RwLock::new(None))
}

/// Sends events at or above the configured level to the sink.
struct SinkLayer;

impl<S: Subscriber> Layer<S> for SinkLayer {
    fn on_event(&self, event: &Event<'_>, _context: Context<'_, S>) {
        let guard = config()
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let Some(config) = guard.as_ref() else {
            return;
        };
        let metadata = event.metadata();
        if *metadata.level() > config.level {
            return;
        }
        let mut text = MessageText::default();
        event.record(&mut text);
        // A failing sink has nowhere to report to, so its error is dropped.
        let _ = config.sink.log(
            metadata.level().into(),
            metadata.target().to_string(),
            text.0,
        );
    }
}

#[derive(Default)]
struct MessageText(String);

impl Visit for MessageText {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if !self.0.is_empty() {
            self.0.push(' ');
        }
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, "{}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            if !self.0.is_empty() {
                self.0.push(' ');
            }
            self.0.push_str(value);
        } else {
            self.record_debug(field, &value);
        }
    }
}

/// Sends the library's log events at `level` and above to `sink`. Call it
/// again to change either.
#[uniffi::export]
pub fn configure_logging(level: LogLevel, sink: Arc<dyn LogSink>) -> Result<(), LoggingError> {
    static INSTALLED: OnceLock<Result<(), String>> = OnceLock::new();
    *config()
        .write()
        .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(Config {
        level: level.into(),
        sink,
    });
    let installed = INSTALLED.get_or_init(|| {
        let subscriber = tracing_subscriber::registry().with(SinkLayer);
        tracing::subscriber::set_global_default(subscriber).map_err(|error| error.to_string())
    });
    installed
        .clone()
        .map_err(|reason| LoggingError::AlreadyInstalled { reason })?;
    tracing::info!(?level, "logging configured");
    Ok(())
}
