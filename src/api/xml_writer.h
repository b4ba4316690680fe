// XmlWriter: builds the small XML documents of the query and REST-XML protocols (responses and
// errors) with correct escaping. Text and attribute values are escaped (&, <, >, ", ') and
// characters XML 1.0 cannot carry (C0 controls other than tab, CR and LF, and invalid UTF-8)
// become U+FFFD, so a hostile message never produces a document a client cannot parse.
//
// Thread-safety: a value type; one writer per document.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace stepwise::api {

class XmlWriter {
 public:
  // Starts with the `<?xml version="1.0" encoding="UTF-8"?>` declaration when asked.
  explicit XmlWriter(bool declaration = false);

  // <name xmlns="ns">; close() ends the innermost open element.
  XmlWriter& open(std::string_view name, std::string_view xmlns = {});
  XmlWriter& close();
  // <name>escaped text</name>
  XmlWriter& element(std::string_view name, std::string_view text);
  // Appends already-built XML (a service's own result element) unchanged.
  XmlWriter& raw(std::string_view xml);

  // Closes every element still open and returns the document.
  std::string finish();

 private:
  std::string out_;
  std::vector<std::string> open_;
};

// Appends text escaped for XML content or attribute values.
void xml_escape(std::string_view text, std::string& out);
std::string xml_escape(std::string_view text);

}  // namespace stepwise::api
