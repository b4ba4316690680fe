// Evaluating parsed expressions (expression.h) against items: conditions (true/false, as
// DynamoDB defines comparisons between types and with missing attributes), update actions (a
// new item, or AWS's runtime error), and projections (the item cut down to some paths, lists
// compacted).
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "services/dynamodb/attribute_value.h"
#include "services/dynamodb/expression.h"

namespace stepwise::services::dynamodb {

// The value at `p` in `item`, or null.
const json::value* resolve(const Item& item, const Path& p);

bool evaluate(const Condition& c, const Item& item);

// Applies `actions` (all values read from the item as it was) to `item`. Errors: AWS's
// ValidationException messages ("The provided expression refers to an attribute that does not
// exist in the item", "An operand in the update expression has an incorrect data type", "The
// document path provided in the update expression is invalid for update", number range).
std::optional<std::string> apply_update(Item& item, const std::vector<UpdateAction>& actions);

// `item` with only the attributes and nested elements `paths` name.
Item project(const Item& item, const std::vector<Path>& paths);

// The paths `actions` write (ReturnValues UPDATED_OLD / UPDATED_NEW project these).
std::vector<Path> updated_paths(const std::vector<UpdateAction>& actions);

}  // namespace stepwise::services::dynamodb
