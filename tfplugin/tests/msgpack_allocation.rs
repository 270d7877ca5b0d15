//! msgpack decoding never reserves more memory than the message justifies: array and map
//! headers claiming 2^32-1 elements in a few bytes allocate next to nothing. Measured with
//! a counting global allocator (this test binary only), so the test fails on any
//! over-reservation, whatever the machine's memory.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use tfplugin::value::msgpack::{decode, encode};
use tfplugin::value::{Type, Value};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Measurements are process-wide: one at a time.
static MEASURING: Mutex<()> = Mutex::new(());

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(live, Ordering::SeqCst);
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Bytes allocated at the peak of `f`, above what was live before it.
fn peak_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let _guard = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let out = f();
    (out, PEAK.load(Ordering::SeqCst) - before)
}

const ARRAY32_MAX: [u8; 5] = [0xdd, 0xff, 0xff, 0xff, 0xff];
const MAP32_MAX: [u8; 5] = [0xdf, 0xff, 0xff, 0xff, 0xff];

fn list(element: Type) -> Type {
    Type::List(Box::new(element))
}

#[test]
fn huge_headers_in_small_messages_allocate_next_to_nothing() {
    let nested = list(list(list(list(Type::String))));
    let mut nested_message = ARRAY32_MAX.repeat(4);
    nested_message.extend_from_slice(b"\xa1a");
    let mut short_list = ARRAY32_MAX.to_vec();
    short_list.extend_from_slice(b"\xa1a\xa1b\xc0\xc0\xc0");
    let cases: Vec<(&str, Vec<u8>, Type)> = vec![
        (
            "array32 of strings, 10 bytes",
            short_list,
            list(Type::String),
        ),
        (
            "array32 of numbers, header only",
            ARRAY32_MAX.to_vec(),
            list(Type::Number),
        ),
        (
            "set of strings, header only",
            ARRAY32_MAX.to_vec(),
            Type::Set(Box::new(Type::String)),
        ),
        (
            "map32, header only",
            MAP32_MAX.to_vec(),
            Type::Map(Box::new(Type::String)),
        ),
        ("four nested array32 headers", nested_message, nested),
    ];
    for (name, message, ty) in cases {
        let (result, peak) = peak_during(|| decode(&message, &ty));
        assert!(
            result.is_err(),
            "{name}: a truncated message decodes: {result:?}"
        );
        assert!(
            peak < 64 * 1024,
            "{name}: {peak} bytes allocated for a {}-byte message",
            message.len()
        );
    }
}

#[test]
fn valid_messages_still_round_trip_long_and_nested_lists_included() {
    // Its allocations would count in a measurement running at the same time.
    let _guard = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let ty = list(list(Type::String));
    let value = Value::List(
        (0..3)
            .map(|i| {
                Value::List(
                    (0..5_000)
                        .map(|j| Value::String(format!("{i}-{j}")))
                        .collect(),
                )
            })
            .collect(),
    );
    let bytes = encode(&value, &ty).unwrap();
    assert_eq!(decode(&bytes, &ty).unwrap(), value);
    let map_ty = Type::Map(Box::new(Type::Number));
    let map = Value::Map(
        (0..2_000)
            .map(|i| (format!("k{i}"), Value::from(i as i64)))
            .collect(),
    );
    let bytes = encode(&map, &map_ty).unwrap();
    assert_eq!(decode(&bytes, &map_ty).unwrap(), map);
}
