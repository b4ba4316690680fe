# Per-generator CPack settings (CPACK_PROJECT_CONFIG_FILE, read by cpack for each generator).
# The tarball keeps the absolute destinations (/etc/stepwise, /lib/systemd/system) under its top
# folder: with DESTDIR set they are installed there instead of being left out.
if(CPACK_GENERATOR STREQUAL "TGZ")
  set(CPACK_SET_DESTDIR ON)
  set(CPACK_INSTALL_PREFIX /usr)  # the package's layout, not CMAKE_INSTALL_PREFIX's /usr/local
endif()
