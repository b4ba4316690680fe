# Install rules and CPack settings: `cmake --build build --target stepwise && cd build && cpack`
# writes stepwise_<version>_<arch>.deb and stepwise-<version>-Linux.tar.gz.
# The package's files (the paths are the installed ones):
#   /usr/bin/stepwise                         the program
#   /lib/systemd/system/stepwise.service      `stepwise serve` as user stepwise, SIGHUP on reload
#   /etc/stepwise/stepwise.conf               the service's arguments (a conffile)
#   /etc/stepwise/functions.d/                local functions configs (docs/FUNCTIONS.md)
#   /usr/share/doc/stepwise/                  README and the docs
# The maintainer scripts (packaging/debian/) create the user and /var/lib/stepwise.
install(TARGETS stepwise RUNTIME DESTINATION bin)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/stepwise.service DESTINATION /lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/stepwise.conf DESTINATION /etc/stepwise)
install(DIRECTORY DESTINATION /etc/stepwise/functions.d)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION share/doc/stepwise)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION share/doc/stepwise/docs)

set(CPACK_PACKAGE_NAME stepwise)
set(CPACK_PACKAGE_VENDOR "Stepwise")
set(CPACK_PACKAGE_CONTACT "Stepwise maintainers <stepwise@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Self-hosted engine for AWS Step Functions workflows (Amazon States Language)")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_GENERATOR DEB TGZ)
# Absolute destinations (/etc, /lib/systemd) are what a Debian package needs; the tarball keeps
# them under its top folder too (packaging/cpack_options.cmake).
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
# dpkg-shlibdeps names the run-time libraries (libre2, libyaml-cpp, libsqlite3, libssl, boost).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "python3")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles
    ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
    ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
    ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/packaging/cpack_options.cmake)
include(CPack)
