// Names of the core's kernel paths an architecture charges (arch/*/costs.ts maps each
// to a path profile). The core says which path ran; the arch knows what it costs on
// that system (code addresses, the entry mechanism around it).

export type CorePath =
  /** one system call's body, the sys_* function itself (per-call profiles: 'sys.<name>') */
  | `sys.${string}`
  /** schedule(): the goodness loop over the run queue (units = runnable tasks examined) */
  | 'schedule'
  /** counter recalculation when every runnable counter is 0 (units = tasks) */
  | 'schedule.recalc'
  /** do_timer + update_process_times from the timer interrupt */
  | 'timer-tick'
  /** do_page_fault: find the vma, handle_mm_fault, no page: anonymous zero page */
  | 'page-fault'
  /** copying a page (COW break, file page in): units = 1 page */
  | 'page-copy'
  /** clearing a page (get_free_page with zeroing) */
  | 'page-clear'
  /** copy_page_range in fork: units = PTEs copied */
  | 'fork.copy-pte'
  /** zap_page_range on exit/exec/munmap: units = PTEs released */
  | 'mm.zap-pte'
  /** setup_frame + handle_signal (signal delivery) */
  | 'signal.deliver'
  /** copy_to_user/copy_from_user: units = bytes */
  | 'uaccess.copy'
  /** do_execve: ELF header parse, mm teardown and setup (excluding copies and PTE work) */
  | 'exec'
  /** do_fork: task struct, files, signal handlers (excluding copy_page_range) */
  | 'fork'
  /** do_exit + the parent's wait4 release of the zombie */
  | 'exit';
