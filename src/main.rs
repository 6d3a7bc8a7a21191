use clap::Parser;

// Expansion allocates many small strings and maps; mimalloc makes that markedly cheaper
// (measured with bench/run; see README "Performance").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::process::ExitCode;

/// mimalloc's `mi_option_purge_delay` (its place in `mi_option_t`, the same in mimalloc 2 and 3;
/// libmimalloc-sys names no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed pages go back to the system after 1 ms rather than mimalloc 3's default 1 s: the
/// spec tree read and checked on one thread is freed before worker threads render the
/// objects, and their heaps cannot reuse its pages (build prod N=5,000: 109 -> 93 MiB peak
/// RSS, same time). `MIMALLOC_PURGE_DELAY` in the environment still decides when set.
fn return_freed_memory_soon() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: sets one option of the allocator; mimalloc reads options at any time.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 1) };
    }
}

fn main() -> ExitCode {
    return_freed_memory_soon();
    let cli = genk8s::cli::Cli::parse();
    match genk8s::cli::run(cli) {
        Ok(genk8s::cli::Outcome::Clean) => ExitCode::SUCCESS,
        Ok(genk8s::cli::Outcome::Findings) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        // SAFETY: reads and sets allocator options.
        unsafe {
            // mimalloc 3's default purge delay (1000 ms) identifies the option's place in the enum.
            if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
                assert_eq!(libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY), 1000);
            }
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 1);
            assert_eq!(libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY), 1);
        }
    }
}
