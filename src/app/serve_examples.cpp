#include "app/serve_examples.h"

#include <algorithm>
#include <filesystem>
#include <future>
#include <vector>

#include "app/definition_file.h"
#include "app/test_file.h"
#include "base/arn.h"
#include "json/json.h"

namespace stepwise::app {
namespace {

namespace fs = std::filesystem;

// Calls one operation in-process and waits for its answer (start-up work only).
api::Response call(api::Dispatcher& d, const std::string& operation, json::value request) {
  std::promise<api::Response> answer;
  auto done = answer.get_future();
  api::RequestInfo info;
  info.request_id = "stepwise-startup";
  d.dispatch(operation, std::move(request), info,
             [&answer](api::Response r) { answer.set_value(std::move(r)); });
  return done.get();
}

// Errors a repeated set-up call meets on a durable store (the resource from the last start is
// there already): not worth a line at each start.
bool already_there(const std::string& type) {
  return type == "ResourceInUseException" || type == "BucketAlreadyOwnedByYou" ||
         type == "ResourceExistsException" || type == "QueueAlreadyExists";
}

// The file-level `setup:` calls of the example's test files (docs/TESTING.md): the tables,
// buckets, queues and topics its workflow uses, made on the built-in services so the example
// runs from the console as it does under `stepwise test`. Calls to a service that does not run
// here (routed, or not enabled) are skipped; a failed call is reported and the rest still run.
void set_up_example(BuiltinServices& builtins, const fs::path& folder, std::ostream& err) {
  auto files = find_test_files({folder.string()});
  if (!files) return;
  for (const auto& path : *files) {
    auto file = load_test_file(path);
    if (!file) {
      err << "stepwise serve: example " << folder.filename().string() << ": " << file.error().cause
          << "\n";
      continue;
    }
    for (const auto& c : file->setup) {
      services::BuiltinService* service = builtins.find(c.service);
      if (service == nullptr) continue;
      api::Response r = call(service->operations(), c.operation, json::value(c.params));
      if (r.is_error() && !already_there(r.error().type)) {
        err << "stepwise serve: example " << folder.filename().string() << ": " << c.where << " ("
            << c.service << ": " << c.operation << "): " << r.error().type << ": "
            << r.error().message << "\n";
      }
    }
  }
}

// Each folder of `dir` holding a definition.asl.json (or .yaml) becomes a state machine of the
// folder's name, after its test files' set-up calls (set_up_example). Existing machines of that
// name are left alone.
}  // namespace

void create_examples(api::Dispatcher& d, BuiltinServices& builtins, const std::string& dir,
                     const std::string& account, std::ostream& out, std::ostream& err) {
  std::error_code ec;
  std::vector<fs::path> folders;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_directory()) folders.push_back(entry.path());
  }
  if (ec) {
    err << "stepwise serve: --examples " << dir << ": " << ec.message() << "\n";
    return;
  }
  std::sort(folders.begin(), folders.end());
  for (const fs::path& folder : folders) {
    fs::path file;
    for (const char* name : {"definition.asl.json", "definition.asl.yaml", "definition.json"}) {
      if (fs::exists(folder / name)) {
        file = folder / name;
        break;
      }
    }
    if (file.empty()) continue;
    set_up_example(builtins, folder, err);
    auto text = load_definition_text(file.string());
    if (!text) {
      err << "stepwise serve: example " << folder.filename().string() << ": " << text.error().cause
          << "\n";
      continue;
    }
    json::object request{{"name", folder.filename().string()},
                         {"definition", *text},
                         {"roleArn", arn::iam_role(account, "StepwiseRole")}};
    api::Response r = call(d, "CreateStateMachine", std::move(request));
    if (r.is_error()) {
      err << "stepwise serve: example " << folder.filename().string() << ": " << r.error().type
          << ": " << r.error().message << "\n";
    } else {
      out << "stepwise serve: example state machine " << json::dump(r.body().at("stateMachineArn"))
          << "\n";
    }
  }
}

}  // namespace stepwise::app
