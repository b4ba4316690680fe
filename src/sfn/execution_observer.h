// ExecutionObserver: hears that an execution changed once the change is durable, for live views
// (the web console's event stream, src/console). The Service calls it on engine threads, after
// a Standard step's commit came back (so an observer never announces a step a client cannot read
// yet); Express executions keep no readable history and are not reported.
//
// Contract: changed() runs on an engine shard's loop thread, inside the step's completion: it
// must not block and must not call back into the Service. Copy what is needed and return (the
// console's hub takes a mutex, copies a few strings into a bounded map and wakes its thread).
//
// Thread-safety: called from every shard's thread at once; the implementation synchronises.
#pragma once

#include "store/store.h"

namespace stepwise::sfn {

class ExecutionObserver {
 public:
  virtual ~ExecutionObserver() = default;
  // `row` is the execution's row after the step: status, history_count, start/stop times.
  virtual void changed(const store::ExecutionRecord& row) = 0;
};

}  // namespace stepwise::sfn
