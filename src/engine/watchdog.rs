//! Ending a run whose rule runs away: past `--rule-timeout` inside one builtin call, or
//! over `--memory-limit`.
//!
//! regorus's own timer is cooperative: it is checked between evaluation steps, so a
//! rule stuck in one builtin (`numbers.range(1, 1000000000)`, a huge bigint formatted,
//! a regex over megabytes) is never stopped by it. Every thread that evaluates rules
//! holds a [`Watch`], which says which rule it is evaluating since when; a watchdog
//! thread looks at them a few times a second. An evaluation still running past the
//! timeout plus its [`grace`], or a rule thread that the memory gate ([`super::memory`])
//! stopped, ends the run: the diagnostic names the rule and its file, and the process
//! exits 2 before any report is written. The engine's timer still stops the ordinary
//! slow rule at the timeout, as an `error` outcome of that rule alone.

use std::cell::Cell;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use miette::Diagnostic;
use thiserror::Error;

/// How long past `--rule-timeout` an evaluation may still run before the run is ended:
/// 3 s and a tenth of the timeout. The engine's own timer stops a rule between two
/// steps, which can take a moment when the steps are large; a group of rules stopped
/// there is evaluated again rule by rule, which the grace must leave room for.
pub fn grace(timeout: Duration) -> Duration {
    Duration::from_secs(3) + timeout / 10
}

/// How often the watchdog looks.
const POLL: Duration = Duration::from_millis(100);

/// The name of the extension the generated aggregate rules call as each rule starts.
pub const RULE_STARTS: &str = "apimguard.__rule_starts";

/// What a watched thread may be evaluating: a rule (or a unit test) and its file.
#[derive(Debug, Clone)]
pub struct Label {
    /// How to name it, e.g. `rule CONTOSO-001` or `test data.x_test.test_ok`.
    pub name: String,
    /// The file it comes from.
    pub file: String,
}

/// A run that had to be ended.
#[derive(Debug, Error, Diagnostic)]
pub enum Runaway {
    /// Still running past the timeout and the grace.
    #[error("{what} ({file}) did not finish within --rule-timeout {timeout} s (and {grace} s of grace): it is stuck inside one builtin call, which the engine cannot interrupt, so the run was ended")]
    #[diagnostic(
        code(apimguard::policy::runaway_time),
        help("fix the rule: a builtin asked for more than any estate needs (numbers.range over a huge span, concat or sprintf of huge values, a regex over a huge string); raise --rule-timeout only if the estate is really that large")
    )]
    Time {
        /// The rule or test.
        what: String,
        /// Its file.
        file: String,
        /// `--rule-timeout`.
        timeout: u64,
        /// The [`grace`], in seconds.
        grace: String,
    },
    /// Stopped by the memory gate.
    #[error("{what} ({file}) asked for memory beyond --memory-limit {limit} (apimguard would have held {usage}), so the run was ended")]
    #[diagnostic(
        code(apimguard::policy::runaway_memory),
        help("fix the rule: it builds a value far larger than the snapshot (numbers.range over a huge span, concat of huge arrays, a comprehension over a huge range); raise --memory-limit only if the estate is really that large (docs/performance.md, Memory)")
    )]
    Memory {
        /// The rule or test.
        what: String,
        /// Its file.
        file: String,
        /// The ceiling, for people.
        limit: String,
        /// What was held, for people.
        usage: String,
    },
}

/// One watched thread: what it evaluates, since when.
struct Slot {
    labels: Arc<[Label]>,
    timeout: Duration,
    /// Milliseconds since [`epoch`] plus one at which the evaluation in progress began;
    /// 0 when the thread is not evaluating.
    since: AtomicU64,
    /// The index in `labels` of the rule being evaluated, or [`UNKNOWN`].
    rule: AtomicUsize,
}

const UNKNOWN: usize = usize::MAX;

/// Every watched thread's slot.
static SLOTS: Mutex<Vec<Arc<Slot>>> = Mutex::new(Vec::new());
/// The slot of the thread the memory gate stopped (null: none).
static OVER_MEMORY: AtomicPtr<Slot> = AtomicPtr::new(std::ptr::null_mut());
/// The bytes held when it was stopped, and the ceiling.
static OVER_MEMORY_AT: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];

thread_local! {
    /// This thread's slot while it holds a [`Watch`] (null otherwise).
    static CURRENT: Cell<*const Slot> = const { Cell::new(std::ptr::null()) };
}

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

fn now_ms() -> u64 {
    epoch().elapsed().as_millis() as u64
}

/// Starts the watchdog thread, once per process; an error when it cannot be started
/// (rules are then not evaluated: nothing could stop a runaway one).
pub fn ensure_running() -> Result<(), String> {
    static STARTED: OnceLock<Result<(), String>> = OnceLock::new();
    STARTED
        .get_or_init(|| {
            epoch();
            std::thread::Builder::new()
                .name("apimguard-watchdog".into())
                .spawn(watch_forever)
                .map(drop)
                .map_err(|e| format!("cannot start the rules' watchdog thread: {e}"))
        })
        .clone()
}

/// Watches the calling thread's evaluations until dropped; cannot leave its thread.
pub struct Watch {
    slot: Arc<Slot>,
    _on_this_thread: PhantomData<*const ()>,
}

impl Watch {
    /// Watches this thread's evaluations of `labels`, each allowed `timeout` (plus its
    /// [`grace`]). Call [`ensure_running`] first.
    pub fn new(labels: Arc<[Label]>, timeout: Duration) -> Watch {
        let slot = Arc::new(Slot {
            labels,
            timeout,
            since: AtomicU64::new(0),
            rule: AtomicUsize::new(UNKNOWN),
        });
        lock_slots().push(slot.clone());
        CURRENT.with(|c| c.set(Arc::as_ptr(&slot)));
        Watch {
            slot,
            _on_this_thread: PhantomData,
        }
    }

    /// Runs one evaluation of the rule at `rule` in the labels (`None`: a group of
    /// rules, which say when each starts through [`rule_starts`]).
    pub fn run<T>(&self, rule: Option<usize>, evaluate: impl FnOnce() -> T) -> T {
        self.slot
            .rule
            .store(rule.unwrap_or(UNKNOWN), Ordering::Relaxed);
        self.slot.since.store(now_ms() + 1, Ordering::Release);
        let result = evaluate();
        self.slot.since.store(0, Ordering::Release);
        result
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(std::ptr::null()));
        super::memory::flush_thread_count();
        lock_slots().retain(|s| !Arc::ptr_eq(s, &self.slot));
    }
}

fn lock_slots() -> std::sync::MutexGuard<'static, Vec<Arc<Slot>>> {
    SLOTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Records that the rule at `index` starts on this thread (the aggregate rules call it
/// through the [`RULE_STARTS`] extension).
pub fn rule_starts(index: usize) {
    CURRENT.with(|c| {
        // SAFETY: the pointer is set by a `Watch` of this thread from the `Arc` it holds,
        // and cleared when that `Watch` is dropped; the slot lives as long as the Watch.
        if let Some(slot) = unsafe { c.get().as_ref() } {
            slot.rule.store(index, Ordering::Relaxed);
        }
    });
}

/// Called by the memory gate when the process is over the ceiling: a thread that is
/// evaluating a rule stops here for good (the watchdog ends the run); any other
/// thread goes on. Allocates nothing.
pub fn over_memory_limit(usage: u64, limit: u64) {
    let slot = CURRENT.with(Cell::get);
    // SAFETY: as in `rule_starts`.
    let evaluating = unsafe { slot.as_ref() }.is_some_and(|s| s.since.load(Ordering::Acquire) != 0);
    if !evaluating {
        return;
    }
    if OVER_MEMORY
        .compare_exchange(
            std::ptr::null_mut(),
            slot.cast_mut(),
            Ordering::AcqRel,
            Ordering::Acquire,
        )
        .is_ok()
    {
        OVER_MEMORY_AT[0].store(usage, Ordering::Release);
        OVER_MEMORY_AT[1].store(limit, Ordering::Release);
    }
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// The watchdog thread's loop: ends the process when a rule ran away.
fn watch_forever() {
    loop {
        std::thread::sleep(POLL);
        if let Some(runaway) = runaway() {
            end_run(&format!("{:?}\n", miette::Report::new(runaway)));
        }
    }
}

/// Writes `message` to standard error and ends the process with exit code 2, taking
/// no lock a stopped rule thread could hold (it may have stopped inside a `print` to
/// standard error), and running no exit handler. Nothing is pending on standard
/// output then: every command prints after its rules have run.
#[cfg(unix)]
fn end_run(message: &str) -> ! {
    use std::io::Write;
    use std::os::fd::FromRawFd;
    // SAFETY: fd 2 stays open for the life of the process; ManuallyDrop never closes it.
    let mut stderr = std::mem::ManuallyDrop::new(unsafe { std::fs::File::from_raw_fd(2) });
    let _ = stderr.write_all(message.as_bytes());
    // SAFETY: `_exit` ends the process at once; nothing runs after it.
    unsafe { libc::_exit(2) }
}

#[cfg(not(unix))]
fn end_run(message: &str) -> ! {
    use std::io::Write;
    let _ = std::io::stderr().write_all(message.as_bytes());
    std::process::exit(2)
}

/// The runaway rule, if any: the one the memory gate stopped, else the first one past
/// its time.
fn runaway() -> Option<Runaway> {
    let slots = lock_slots();
    let stopped = OVER_MEMORY.load(Ordering::Acquire);
    if !stopped.is_null() {
        let slot = slots.iter().find(|s| std::ptr::eq(Arc::as_ptr(s), stopped));
        let (what, file) = named(slot.map(|s| &**s));
        return Some(Runaway::Memory {
            what,
            file,
            limit: bytes(OVER_MEMORY_AT[1].load(Ordering::Acquire)),
            usage: bytes(OVER_MEMORY_AT[0].load(Ordering::Acquire)),
        });
    }
    let now = now_ms();
    slots.iter().find_map(|slot| {
        let since = slot.since.load(Ordering::Acquire);
        let allowed = (slot.timeout + grace(slot.timeout)).as_millis() as u64;
        (since != 0 && now + 1 >= since + allowed).then(|| {
            let (what, file) = named(Some(slot));
            Runaway::Time {
                what,
                file,
                timeout: slot.timeout.as_secs(),
                grace: format!("{:.1}", grace(slot.timeout).as_secs_f64()),
            }
        })
    })
}

fn named(slot: Option<&Slot>) -> (String, String) {
    match slot.and_then(|s| s.labels.get(s.rule.load(Ordering::Relaxed))) {
        Some(label) => (label.name.clone(), label.file.clone()),
        None => (
            "a rule".to_string(),
            "the engine had not said which".to_string(),
        ),
    }
}

/// A size for people: `1.5 GiB`, `300 MiB`.
fn bytes(n: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = "bytes";
    for u in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = u;
    }
    if unit == "bytes" {
        format!("{n} bytes")
    } else if value.fract() == 0.0 {
        format!("{value} {unit}")
    } else {
        format!("{value:.2} {unit}")
    }
}
