// ShardedStarter: nested starts on the shard that owns the child (see the header).
#include "sfn/sharded_starter.h"

#include <memory>

namespace stepwise::sfn {

Result<StartedChild> ShardedStarter::start_child(const StartRequest& child, ChildClosed on_close) {
  Shard& home = *shards_.front();
  Executions& here = home.executions();
  auto checked = here.check_here(child, /*sync=*/false);
  if (!checked) return checked.error();
  Shard& to = owner(checked->arn);
  if (&to == &home) return here.start_child_checked(std::move(*checked), child, on_close);

  // The child's shard tells the home loop when it closes.
  ChildClosed back;
  if (on_close) {
    EventLoop* loop = &home.loop();
    back = [loop, on_close](const store::ExecutionRecord& rec) {
      loop->post([on_close, rec] { on_close(rec); });
    };
  }
  const std::string arn = checked->arn;
  if (!checked->express) {
    auto read = store_.get_execution(arn);
    if (!read.ok()) return std::move(read).error();  // Store.*: not "no such child"
    if (const auto& e = *read) {
      // A Task re-issued after a restart finds the child it started before: re-attach to it.
      if (e->parent_arn != child.parent_arn || e->input != child.input.value_or("{}"))
        return Error{"ExecutionAlreadyExists", "Execution Already Exists: '" + e->arn + "'"};
      if (back) to.loop().post([&to, arn, back] { to.executions().attach_child(arn, back); });
      return StartedChild{e->arn, e->start_ms};
    }
  }
  auto rec = std::make_shared<store::ExecutionRecord>(here.record_here(*checked, child));
  StartedChild answer{rec->arn, rec->start_ms};
  auto c = std::make_shared<Executions::Checked>(std::move(*checked));
  to.loop().post([&to, c, child, rec, back] {
    to.executions().launch_child(std::move(*c), child, std::move(*rec), back);
  });
  return answer;
}

void ShardedStarter::stop_child(const std::string& execution_arn) {
  Shard& to = owner(execution_arn);
  if (&to == shards_.front()) return to.executions().stop_child(execution_arn);
  to.loop().post([&to, execution_arn] { to.executions().stop_child(execution_arn); });
}

}  // namespace stepwise::sfn
