// JSONata's AST post-processing (the reference's processAST): turns the parser's raw tree into
// paths with stages, predicates and group-bys, resolves `%` parent references (ancestry),
// and marks tail calls as thunks.
#include <string>

#include "jsonata/internal.h"

namespace stepwise::jsonata {

namespace {

class Processor {
 public:
  explicit Processor(Ast& ast) : ast_(ast) {}

  Node* process(Node* expr) {
    if (++depth_ > parse_depth_max) fail("S0220", expr->position);
    Node* result = process_inner(expr);
    if (expr->keep_array) result->keep_array = true;
    --depth_;
    return result;
  }

 private:
  Ast& ast_;
  int depth_ = 0;
  int ancestor_label_ = 0;
  int ancestor_index_ = 0;
  std::vector<Node*> ancestry_;

  Node* make(NodeType type, int position) {
    Node* n = ast_.make();
    n->type = type;
    n->position = position;
    return n;
  }

  static void push_ancestry(Node* result, Node* value) {
    if (value->has_seeking_parent || value->type == NodeType::kParent) {
      std::vector<std::shared_ptr<Slot>> slots = value->seeking_parent;
      if (value->type == NodeType::kParent) slots.push_back(value->slot);
      result->seeking_parent.insert(result->seeking_parent.end(), slots.begin(), slots.end());
      result->has_seeking_parent = true;
    }
  }

  std::shared_ptr<Slot> seek_parent(Node* node, std::shared_ptr<Slot> slot) {
    switch (node->type) {
      case NodeType::kName:
      case NodeType::kWildcard:
        slot->level--;
        if (slot->level == 0) {
          if (!node->ancestor) {
            node->ancestor = slot;
          } else {
            ancestry_[slot->index]->slot->label = node->ancestor->label;
            node->ancestor = slot;
          }
          node->tuple = true;
        }
        break;
      case NodeType::kParent:
        slot->level++;
        break;
      case NodeType::kBlock:
        if (!node->expressions.empty()) {
          node->tuple = true;
          slot = seek_parent(node->expressions.back(), slot);
        }
        break;
      case NodeType::kPath: {
        node->tuple = true;
        int index = static_cast<int>(node->expressions.size()) - 1;
        slot = seek_parent(node->expressions[index--], slot);
        while (slot->level > 0 && index >= 0) slot = seek_parent(node->expressions[index--], slot);
        break;
      }
      default: {
        JError err{"S0217", node->position};
        err.token = type_name(node->type);
        err.has_token = true;
        throw err;
      }
    }
    return slot;
  }

  static std::string type_name(NodeType t) {
    switch (t) {
      case NodeType::kBinary:
        return "binary";
      case NodeType::kUnary:
        return "unary";
      case NodeType::kFunction:
        return "function";
      case NodeType::kString:
        return "string";
      case NodeType::kNumber:
        return "number";
      case NodeType::kVariable:
        return "variable";
      case NodeType::kCondition:
        return "condition";
      case NodeType::kParent:
        return "parent";
      case NodeType::kLambda:
        return "lambda";
      default:
        return "expression";
    }
  }

  void resolve_ancestry(Node* path) {
    auto& steps = path->expressions;
    Node* last = steps.back();
    std::vector<std::shared_ptr<Slot>> slots = last->seeking_parent;
    if (last->type == NodeType::kParent) slots.push_back(last->slot);
    for (auto slot : slots) {
      int index = static_cast<int>(steps.size()) - 2;
      while (slot->level > 0) {
        if (index < 0) {
          path->seeking_parent.push_back(slot);
          path->has_seeking_parent = true;
          break;
        }
        Node* step = steps[index--];
        while (index >= 0 && step->has_focus && steps[index]->has_focus) step = steps[index--];
        slot = seek_parent(step, slot);
      }
    }
  }

  Node* process_inner(Node* expr) {
    switch (expr->type) {
      case NodeType::kBinary:
        return process_binary(expr);
      case NodeType::kUnary:
        return process_unary(expr);
      case NodeType::kFunction:
      case NodeType::kPartial: {
        for (auto& arg : expr->arguments) {
          arg = process(arg);
          push_ancestry(expr, arg);
        }
        expr->procedure = process(expr->procedure);
        return expr;
      }
      case NodeType::kLambda: {
        expr->body = process(expr->body);
        return expr;
      }
      case NodeType::kCondition: {
        expr->condition = process(expr->condition);
        push_ancestry(expr, expr->condition);
        expr->then = process(expr->then);
        push_ancestry(expr, expr->then);
        if (expr->otherwise) {
          expr->otherwise = process(expr->otherwise);
          push_ancestry(expr, expr->otherwise);
        }
        return expr;
      }
      case NodeType::kTransform: {
        expr->pattern = process(expr->pattern);
        expr->update = process(expr->update);
        if (expr->remove) expr->remove = process(expr->remove);
        return expr;
      }
      case NodeType::kBlock: {
        for (auto& e : expr->expressions) {
          e = process(e);
          push_ancestry(expr, e);
          if (e->consarray || (e->type == NodeType::kPath && e->expressions[0]->consarray))
            expr->consarray = true;
        }
        return expr;
      }
      case NodeType::kName: {
        Node* path = make(NodeType::kPath, expr->position);
        path->expressions.push_back(expr);
        if (expr->keep_array) path->keep_singleton_array = true;
        return path;
      }
      case NodeType::kParent: {
        expr->slot = std::make_shared<Slot>();
        expr->slot->label = "!" + std::to_string(ancestor_label_++);
        expr->slot->index = ancestor_index_++;
        ancestry_.push_back(expr);
        return expr;
      }
      case NodeType::kString:
      case NodeType::kNumber:
      case NodeType::kValue:
      case NodeType::kWildcard:
      case NodeType::kDescendant:
      case NodeType::kVariable:
      case NodeType::kRegex:
        return expr;
      case NodeType::kOperator: {
        if (expr->value == "and" || expr->value == "or" || expr->value == "in") {
          expr->type = NodeType::kName;
          return process(expr);
        }
        if (expr->value == "?") return expr;
        JError err{"S0201", expr->position};
        err.token = expr->value;
        err.has_token = true;
        throw err;
      }
      default: {
        JError err{expr->id == "(end)" ? "S0207" : "S0206", expr->position};
        err.token = expr->value;
        err.has_token = true;
        throw err;
      }
    }
  }

  Node* process_binary(Node* expr) {
    const std::string& op = expr->id.empty() ? expr->value : expr->id;
    if (op == ".") return process_path(expr);
    if (op == "[") return process_filter(expr);
    if (op == "{") return process_group(expr);
    if (op == "^") return process_sort(expr);
    if (op == ":=") {
      Node* bind = make(NodeType::kBind, expr->position);
      bind->value = ":=";
      bind->lhs = process(expr->lhs);
      bind->rhs = process(expr->rhs);
      push_ancestry(bind, bind->rhs);
      return bind;
    }
    if (op == "@") return process_focus(expr);
    if (op == "#") return process_index(expr);
    if (op == "~>") {
      Node* apply = make(NodeType::kApply, expr->position);
      apply->value = "~>";
      apply->lhs = process(expr->lhs);
      apply->rhs = process(expr->rhs);
      apply->keep_array = apply->lhs->keep_array || apply->rhs->keep_array;
      return apply;
    }
    Node* result = make(NodeType::kBinary, expr->position);
    result->value = op;
    result->lhs = process(expr->lhs);
    result->rhs = process(expr->rhs);
    push_ancestry(result, result->lhs);
    push_ancestry(result, result->rhs);
    return result;
  }

  Node* process_path(Node* expr) {
    Node* lstep = process(expr->lhs);
    Node* result;
    if (lstep->type == NodeType::kPath) {
      result = lstep;
    } else {
      result = make(NodeType::kPath, expr->position);
      result->expressions.push_back(lstep);
    }
    if (lstep->type == NodeType::kParent) {
      result->seeking_parent = {lstep->slot};
      result->has_seeking_parent = true;
    }
    Node* rest = process(expr->rhs);
    if (rest->type == NodeType::kPath) {
      result->expressions.insert(result->expressions.end(), rest->expressions.begin(),
                                 rest->expressions.end());
    } else {
      if (!rest->predicate.empty()) {
        rest->stages = std::move(rest->predicate);
        rest->predicate.clear();
      }
      result->expressions.push_back(rest);
    }
    for (Node* step : result->expressions) {
      if (step->type == NodeType::kNumber || step->type == NodeType::kValue) {
        JError err{"S0213", step->position};
        err.value = step->type == NodeType::kNumber ? Value::number(step->number) : step->literal;
        err.token = step->value;
        err.has_token = true;
        throw err;
      }
      if (step->type == NodeType::kString) step->type = NodeType::kName;
    }
    for (Node* step : result->expressions)
      if (step->keep_array) result->keep_singleton_array = true;
    Node* first = result->expressions.front();
    if (first->type == NodeType::kUnary && first->value == "[") first->consarray = true;
    Node* last = result->expressions.back();
    if (last->type == NodeType::kUnary && last->value == "[") last->consarray = true;
    resolve_ancestry(result);
    return result;
  }

  Node* process_filter(Node* expr) {
    Node* result = process(expr->lhs);
    Node* step = result;
    bool stages = false;
    if (result->type == NodeType::kPath) {
      step = result->expressions.back();
      stages = true;
    }
    if (step->group) fail("S0209", expr->position);
    Node* predicate = process(expr->rhs);
    if (predicate->has_seeking_parent) {
      for (auto& slot : predicate->seeking_parent) {
        if (slot->level == 1) {
          seek_parent(step, slot);
        } else {
          slot->level--;
        }
      }
      push_ancestry(step, predicate);
    }
    Stage stage;
    stage.expr = predicate;
    stage.position = expr->position;
    (stages ? step->stages : step->predicate).push_back(stage);
    return result;
  }

  Node* process_group(Node* expr) {
    Node* result = process(expr->lhs);
    if (result->group) fail("S0210", expr->position);
    GroupBy group;
    group.position = expr->position;
    for (auto& [k, v] : expr->pairs) group.pairs.emplace_back(process(k), process(v));
    result->group = std::move(group);
    return result;
  }

  Node* process_sort(Node* expr) {
    Node* result = process(expr->lhs);
    if (result->type != NodeType::kPath) {
      Node* path = make(NodeType::kPath, expr->position);
      path->expressions.push_back(result);
      result = path;
    }
    Node* sort = make(NodeType::kSort, expr->position);
    for (auto& term : expr->terms) {
      SortTerm t;
      t.descending = term.descending;
      t.expr = process(term.expr);
      push_ancestry(sort, t.expr);
      sort->terms.push_back(t);
    }
    result->expressions.push_back(sort);
    resolve_ancestry(result);
    return result;
  }

  Node* process_focus(Node* expr) {
    Node* result = process(expr->lhs);
    Node* step = result;
    if (result->type == NodeType::kPath) step = result->expressions.back();
    if (!step->stages.empty() || !step->predicate.empty()) fail("S0215", expr->position);
    if (step->type == NodeType::kSort) fail("S0216", expr->position);
    if (expr->keep_array) step->keep_array = true;
    step->focus = expr->rhs->value;
    step->has_focus = true;
    step->tuple = true;
    return result;
  }

  Node* process_index(Node* expr) {
    Node* result = process(expr->lhs);
    Node* step = result;
    if (result->type == NodeType::kPath) {
      step = result->expressions.back();
    } else {
      result = make(NodeType::kPath, expr->position);
      result->expressions.push_back(step);
      if (!step->predicate.empty()) {
        step->stages = std::move(step->predicate);
        step->predicate.clear();
      }
    }
    if (step->stages.empty()) {
      step->index = expr->rhs->value;
      step->has_index = true;
    } else {
      Stage stage;
      stage.is_index = true;
      stage.index_var = expr->rhs->value;
      stage.position = expr->position;
      step->stages.push_back(stage);
    }
    step->tuple = true;
    return result;
  }

  Node* process_unary(Node* expr) {
    if (expr->value == "[") {
      for (auto& e : expr->expressions) {
        e = process(e);
        push_ancestry(expr, e);
      }
      return expr;
    }
    if (expr->value == "{") {
      for (auto& [k, v] : expr->pairs) {
        k = process(k);
        push_ancestry(expr, k);
        v = process(v);
        push_ancestry(expr, v);
      }
      return expr;
    }
    expr->expression = process(expr->expression);
    if (expr->value == "-" && expr->expression->type == NodeType::kNumber) {
      Node* num = expr->expression;
      num->number = -num->number;
      return num;
    }
    push_ancestry(expr, expr->expression);
    return expr;
  }

 public:
  Node* make_thunks(Node* expr) {
    if (expr->type == NodeType::kFunction && expr->predicate.empty() && !expr->group) {
      Node* thunk = make(NodeType::kLambda, expr->position);
      thunk->thunk = true;
      thunk->body = expr;
      return thunk;
    }
    if (expr->type == NodeType::kCondition) {
      expr->then = make_thunks(expr->then);
      if (expr->otherwise) expr->otherwise = make_thunks(expr->otherwise);
    } else if (expr->type == NodeType::kBlock && !expr->expressions.empty()) {
      expr->expressions.back() = make_thunks(expr->expressions.back());
    }
    return expr;
  }
};

}  // namespace

Node* process_ast(Node* raw, Ast& ast) {
  Processor proc(ast);
  Node* root = proc.process(raw);
  // Tail-call thunks are introduced after processing so the lambda bodies are final.
  const std::size_t count = ast.nodes.size();
  for (std::size_t i = 0; i < count; ++i) {
    Node* n = ast.nodes[i].get();
    if (n->type == NodeType::kLambda && !n->thunk && n->body) n->body = proc.make_thunks(n->body);
  }
  if (root->type == NodeType::kParent || root->has_seeking_parent) {
    JError err{"S0217", root->position};
    err.token = root->type == NodeType::kParent ? "parent" : "path";
    err.has_token = true;
    throw err;
  }
  return root;
}

}  // namespace stepwise::jsonata
