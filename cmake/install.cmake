# `cmake --install`: libmulenet (shared with a SONAME, and static), the public
# headers (include/mulenet/ only), mulenet.pc for pkg-config and a CMake
# package (find_package(mulenet) -> target mulenet::mulenet), and the program.
# Every path in mulenet.pc and the CMake package is relative to where they are
# installed, so `cmake --install build --prefix /any/where` works.
include(CMakePackageConfigHelpers)

install(TARGETS mulenet_shared EXPORT mulenetTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Development)
install(TARGETS mulenet ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS mulenet_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/mulenet DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")

set(_mulenet_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/mulenet)
install(EXPORT mulenetTargets NAMESPACE mulenet:: DESTINATION ${_mulenet_cmake_dir})
configure_package_config_file(cmake/mulenetConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/mulenetConfig.cmake
                              INSTALL_DESTINATION ${_mulenet_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/mulenetConfigVersion.cmake
                                 COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/mulenetConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/mulenetConfigVersion.cmake
        DESTINATION ${_mulenet_cmake_dir})

# pkg-config: the prefix is found from the .pc file's own place.
file(RELATIVE_PATH MULENET_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
set(MULENET_PC_PRIVATE_LIBS "-lboost_json -lfmt -lcrypto -lz -pthread")
if(MULENET_WITH_UPNP)
  string(APPEND MULENET_PC_PRIVATE_LIBS " -lpugixml")
endif()
configure_file(cmake/mulenet.pc.in ${CMAKE_CURRENT_BINARY_DIR}/mulenet.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/mulenet.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The daemon as a service, and the manual page.
install(FILES packaging/mulenet.service DESTINATION lib/systemd/system)
install(FILES docs/mulenet.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# `cpack -G DEB` (from the build directory): a .deb of everything above.
set(CPACK_PACKAGE_NAME mulenet)
set(CPACK_PACKAGE_VENDOR "mulenet")
set(CPACK_PACKAGE_CONTACT "mulenet developers <mulenet@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "keep an aMule node reachable: port mappings, proxies, High ID and Kad checks")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)  # a package for users: no debug info (the build tree keeps it)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://localhost/mulenet")
include(CPack)
